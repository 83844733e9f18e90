// Package testpeer holds what the tests that meet outside peers (an IdP,
// a browser, a corpus, a tool) share: what to do when a peer is missing,
// and where the repository is.
package testpeer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// RequireEnv is the environment variable that, set to 1 (as scripts/test
// and CI set it), makes a missing peer fail the test instead of skipping it.
const RequireEnv = "GATEHOUSE_TEST_REQUIRE_PEERS"

// Missing skips tb, or fails it when RequireEnv is 1, saying what is
// missing and how to install it.
func Missing(tb testing.TB, what, install string) {
	tb.Helper()
	msg := fmt.Sprintf("%s; install it with: %s", what, install)
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatalf("%s (%s=1: a missing peer fails the test)", msg, RequireEnv)
	}
	tb.Skip(msg)
}

// RepoDir returns the root of the repository that holds the working
// directory: the nearest folder above it with a go.mod.
func RepoDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the repository: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
