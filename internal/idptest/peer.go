package idptest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

const installSimpleSAMLphp = "apt-get install -y simplesamlphp php-xml php-mbstring openssl"

// missingPeer skips the test, or fails it when GATEHOUSE_TEST_REQUIRE_PEERS=1 (as in CI),
// saying what is missing and how to install it.
func missingPeer(tb testing.TB, what, install string) {
	tb.Helper()
	msg := fmt.Sprintf("%s; install it with: %s", what, install)
	if os.Getenv("GATEHOUSE_TEST_REQUIRE_PEERS") == "1" {
		tb.Fatalf("%s (GATEHOUSE_TEST_REQUIRE_PEERS=1: a missing peer fails the test)", msg)
	}
	tb.Skip(msg)
}

// requireSimpleSAMLphp returns the path of run-idp.sh, or ends the test through
// missingPeer when the script, PHP, its XML and mbstring extensions or SimpleSAMLphp
// are not there.
func requireSimpleSAMLphp(tb testing.TB) string {
	tb.Helper()
	dir, err := peersDir()
	if err != nil {
		missingPeer(tb, fmt.Sprintf("the peers folder: %v; set GATEHOUSE_PEERS_DIR", err), installSimpleSAMLphp)
	}
	script := filepath.Join(dir, "simplesamlphp", "run-idp.sh")
	if _, err := os.Stat(script); err != nil {
		missingPeer(tb, fmt.Sprintf("the peer script: %v; set GATEHOUSE_PEERS_DIR", err), installSimpleSAMLphp)
	}
	if _, err := os.Stat("/usr/share/simplesamlphp/www"); err != nil {
		missingPeer(tb, "SimpleSAMLphp is not installed", installSimpleSAMLphp)
	}
	for _, tool := range []string{"php", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			missingPeer(tb, tool+" is not installed", installSimpleSAMLphp)
		}
	}
	extensions := `exit(extension_loaded("dom") && extension_loaded("mbstring") ? 0 : 1);`
	if err := exec.Command("php", "-r", extensions).Run(); err != nil {
		missingPeer(tb, "PHP's dom or mbstring extension is missing", installSimpleSAMLphp)
	}
	return script
}

// peersDir returns GATEHOUSE_PEERS_DIR, or else the testdata/peers folder of the
// repository that holds the working directory.
func peersDir() (string, error) {
	if dir := os.Getenv("GATEHOUSE_PEERS_DIR"); dir != "" {
		return dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the repository: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "testdata", "peers"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
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
