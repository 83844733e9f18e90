package testpeer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRepoDirHoldsTheModule(t *testing.T) {
	dir, err := RepoDir()
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || len(mod) == 0 {
		t.Errorf("RepoDir() = %s, whose go.mod reads %v; want the module's root", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "internal", "testpeer")); err != nil {
		t.Errorf("RepoDir() = %s does not hold this package: %v", dir, err)
	}
}
