package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
)

// binary is the path of the gatehouse binary that TestMain builds.
var binary string

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

// runTests builds ./cmd/gatehouse once, into a temporary folder, then runs
// the tests with pgtest's PostgreSQL.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "gatehouse-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "gatehouse")
	// go test puts its own go first in PATH, so this builds with the same toolchain.
	build := exec.Command("go", "build", "-o", binary, "github.com/gatehouse-sso/gatehouse/cmd/gatehouse")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/gatehouse: %v\n%s", err, out)
		return 1
	}
	return pgtest.Main(m)
}

// An engine is a database Gatehouse runs on.
type engine struct {
	name string
	// db returns the --db value of a new, empty database that lives as long as tb.
	db func(tb testing.TB) string
}

// engines are the two databases Gatehouse supports (SPEC §8).
var engines = []engine{
	{name: "sqlite", db: func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "gatehouse.db") }},
	{name: "postgres", db: pgtest.URL},
}

// sqliteDB returns a new SQLite database, for the tests that run on one engine.
func sqliteDB(tb testing.TB) string { return engines[0].db(tb) }
