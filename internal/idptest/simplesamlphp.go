package idptest

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startTimeout bounds how long SimpleSAMLphp may take to answer its metadata URL.
const startTimeout = 20 * time.Second

// An IdP is a running SimpleSAMLphp identity provider on 127.0.0.1. It signs the
// Response and the Assertion with RSA-SHA256, sends the NameID in the emailAddress
// format (the user's email attribute), and serves one request at a time.
type IdP struct {
	// MetadataURL serves the IdP's metadata; SimpleSAMLphp also uses it as the entity ID.
	MetadataURL string
	// EntityID is the IdP's entity ID, the Issuer of its Responses.
	EntityID string
	// SSOURL is the single sign-on endpoint, for the HTTP-Redirect and HTTP-POST bindings.
	SSOURL string
	// CertificatePEM is the IdP's signing certificate, PEM-encoded.
	CertificatePEM string
	// StateDir holds the IdP's configuration, key and logs (log/simplesamlphp.log and
	// log/php-server.log); it is removed when the test ends.
	StateDir string
}

// StartSimpleSAMLphp starts a SimpleSAMLphp IdP on a free 127.0.0.1 port that knows sps
// and users, waits until it answers, and stops it when tb ends. When the test fails, it
// logs the end of SimpleSAMLphp's log. It skips or fails tb when SimpleSAMLphp is not
// installed (see the package documentation).
func StartSimpleSAMLphp(tb testing.TB, sps []SP, users []User) *IdP {
	tb.Helper()
	script := requireSimpleSAMLphp(tb)
	dir := tb.TempDir()
	state := filepath.Join(dir, "state")
	if err := os.MkdirAll(filepath.Join(state, "cert"), 0o755); err != nil {
		tb.Fatalf("start SimpleSAMLphp: %v", err)
	}
	spFile, usersFile := filepath.Join(dir, "sp-remote.php"), filepath.Join(dir, "users.php")
	if err := writeSPFile(spFile, filepath.Join(state, "cert"), sps); err != nil {
		tb.Fatalf("start SimpleSAMLphp: %v", err)
	}
	if err := writeUsersFile(usersFile, users); err != nil {
		tb.Fatalf("start SimpleSAMLphp: %v", err)
	}

	port := freePort(tb)
	base := "http://127.0.0.1:" + port
	idp := &IdP{
		MetadataURL: base + "/saml2/idp/metadata.php",
		EntityID:    base + "/saml2/idp/metadata.php",
		SSOURL:      base + "/saml2/idp/SSOService.php",
		StateDir:    state,
	}
	idp.run(tb, script, port, spFile, usersFile)
	cert, err := os.ReadFile(filepath.Join(state, "cert", "idp.crt"))
	if err != nil {
		tb.Fatalf("read the SimpleSAMLphp certificate: %v", err)
	}
	idp.CertificatePEM = string(cert)
	return idp
}

// run starts run-idp.sh, which execs PHP's built-in server, so the process it starts is
// PHP itself; killing it in tb's cleanup stops the IdP.
func (idp *IdP) run(tb testing.TB, script, port, spFile, usersFile string) {
	tb.Helper()
	var out bytes.Buffer
	cmd := exec.Command(script, idp.StateDir, port, spFile, usersFile)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", script, err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	tb.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if tb.Failed() {
			tb.Logf("SimpleSAMLphp log (end):\n%s", idp.logTail())
		}
	})
	if err := waitForURL(idp.MetadataURL, exited); err != nil {
		<-exited
		tb.Fatalf("SimpleSAMLphp did not start (%v, exit: %v)\n%s\n%s", err, waitErr, out.String(), idp.logTail())
	}
}

// waitForURL polls url until it answers 200 OK, exited is closed, or startTimeout passes.
func waitForURL(url string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.After(startTimeout)
	for {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s answered %s", url, resp.Status)
		}
		select {
		case <-exited:
			return err
		case <-deadline:
			return err
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// logTail returns the last lines of SimpleSAMLphp's own log and of PHP's server log.
func (idp *IdP) logTail() string {
	var b strings.Builder
	for _, name := range []string{"simplesamlphp.log", "php-server.log"} {
		data, err := os.ReadFile(filepath.Join(idp.StateDir, "log", name))
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		lines = lines[max(0, len(lines)-40):]
		b.WriteString("== " + name + "\n" + strings.Join(lines, "\n") + "\n")
	}
	return b.String()
}
