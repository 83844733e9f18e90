package sqlstore_test

import (
	"os"
	"testing"

	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// newPostgres opens a store on a fresh schema of the test server.
func newPostgres(t *testing.T) store.Store {
	t.Helper()
	return mustOpen(t, pgtest.URL(t))
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	storetest.RunTests(t, newPostgres)
}

func TestPostgresConcurrency(t *testing.T) {
	t.Parallel()
	storetest.RunConcurrencyTests(t, newPostgres)
}
