package sqlstore_test

import (
	"path/filepath"
	"testing"

	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// newSQLite opens a store on a new SQLite file, in WAL mode, so that
// locking between the writer and the readers is real.
func newSQLite(t *testing.T) store.Store {
	t.Helper()
	return mustOpen(t, filepath.Join(t.TempDir(), "gatehouse.db"))
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	storetest.RunTests(t, newSQLite)
}

func TestSQLiteConcurrency(t *testing.T) {
	t.Parallel()
	storetest.RunConcurrencyTests(t, newSQLite)
}

// mustOpen opens the store at dsn and closes it when t ends.
func mustOpen(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open(%q): %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}
