package idptest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/gatehouse-sso/gatehouse/internal/testpeer"
)

const installSimpleSAMLphp = "apt-get install -y simplesamlphp php-xml php-mbstring openssl"

// requireSimpleSAMLphp returns the path of run-idp.sh, or ends the test through
// testpeer.Missing when the script, PHP, its XML and mbstring extensions or SimpleSAMLphp
// are not there.
func requireSimpleSAMLphp(tb testing.TB) string {
	tb.Helper()
	dir, err := peersDir()
	if err != nil {
		testpeer.Missing(tb, fmt.Sprintf("the peers folder: %v; set GATEHOUSE_PEERS_DIR", err), installSimpleSAMLphp)
	}
	script := filepath.Join(dir, "simplesamlphp", "run-idp.sh")
	if _, err := os.Stat(script); err != nil {
		testpeer.Missing(tb, fmt.Sprintf("the peer script: %v; set GATEHOUSE_PEERS_DIR", err), installSimpleSAMLphp)
	}
	if _, err := os.Stat("/usr/share/simplesamlphp/www"); err != nil {
		testpeer.Missing(tb, "SimpleSAMLphp is not installed", installSimpleSAMLphp)
	}
	for _, tool := range []string{"php", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			testpeer.Missing(tb, tool+" is not installed", installSimpleSAMLphp)
		}
	}
	extensions := `exit(extension_loaded("dom") && extension_loaded("mbstring") ? 0 : 1);`
	if err := exec.Command("php", "-r", extensions).Run(); err != nil {
		testpeer.Missing(tb, "PHP's dom or mbstring extension is missing", installSimpleSAMLphp)
	}
	return script
}

// peersDir returns GATEHOUSE_PEERS_DIR, or else the testdata/peers folder of the
// repository that holds the working directory.
func peersDir() (string, error) {
	if dir := os.Getenv("GATEHOUSE_PEERS_DIR"); dir != "" {
		return dir, nil
	}
	repo, err := testpeer.RepoDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(repo, "testdata", "peers"), nil
}

// freePort returns a 127.0.0.1 port that was free a moment ago.
func freePort(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
