package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	// The "pgx" database/sql driver.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Environment variables read by the harness.
const (
	// EnvURL names a postgres:// URL of a server to use instead of a
	// throwaway cluster. Its user must be allowed to create schemas.
	EnvURL = "GATEHOUSE_TEST_POSTGRES"
	// EnvRequire, set to 1, turns a missing server into a test failure.
	EnvRequire = "GATEHOUSE_TEST_REQUIRE_PEERS"
)

var (
	mainRunning bool // set by Main, before any test runs

	// Set once, by setup.
	once     sync.Once
	server   *cluster // nil when GATEHOUSE_TEST_POSTGRES is used
	admin    *sql.DB  // connection to the server, for creating schemas
	base     string   // URL of the server's database
	setupErr error
)

// Main runs m's tests and stops the cluster they may have started. Call
// it from TestMain and pass its result to os.Exit.
func Main(m *testing.M) int {
	mainRunning = true
	code := m.Run()
	if admin != nil {
		admin.Close()
	}
	if server != nil {
		if err := server.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	return code
}

// URL returns the URL of a new, empty schema on the test server, set as
// search_path, and drops the schema when tb ends. It skips tb, or fails it
// under GATEHOUSE_TEST_REQUIRE_PEERS=1, if there is no server.
func URL(tb testing.TB) string {
	tb.Helper()
	if !mainRunning && os.Getenv(EnvURL) == "" {
		tb.Fatal("pgtest: call pgtest.Main from TestMain, which stops the cluster URL starts")
	}
	once.Do(setup)
	if setupErr != nil {
		msg := fmt.Sprintf("PostgreSQL is not available: %v. Install it (apt-get install postgresql) or set %s to a postgres:// URL.", setupErr, EnvURL)
		if os.Getenv(EnvRequire) == "1" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	schema := "test_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("pgtest: drop schema: %v", err)
		}
	})
	return withParam(base, "search_path", schema)
}

// setup finds or starts the server and connects to it.
func setup() {
	base = os.Getenv(EnvURL)
	if base == "" {
		server, setupErr = startCluster()
		if setupErr != nil {
			return
		}
		base = server.url
	}
	admin, setupErr = sql.Open("pgx", base)
	if setupErr != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		setupErr = fmt.Errorf("connect to %s: %w", redact(base), err)
	}
}

// withParam adds a query parameter to a URL.
func withParam(url, key, value string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + key + "=" + value
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// redact hides the password of a database URL.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	at := strings.LastIndex(rest, "@")
	if !ok || at < 0 {
		return url
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return url
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
