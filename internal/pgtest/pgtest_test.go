package pgtest_test

import (
	"database/sql"
	"os"
	"testing"

	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestURLGivesAFreshEmptySchemaPerTest(t *testing.T) {
	first, second := pgtest.URL(t), pgtest.URL(t)
	if first == second {
		t.Fatalf("URL returned %q twice", first)
	}
	for _, url := range []string{first, second} {
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var tables int
		err = db.QueryRowContext(t.Context(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()").Scan(&tables)
		if err != nil {
			t.Fatalf("count tables of %s: %v", url, err)
		}
		if tables != 0 {
			t.Errorf("schema of %s holds %d tables; want 0", url, tables)
		}
		if _, err := db.ExecContext(t.Context(), "CREATE TABLE t (id int)"); err != nil {
			t.Errorf("create a table in %s: %v", url, err)
		}
	}
}
