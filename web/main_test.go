package web_test

import (
	"os"
	"testing"

	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
)

// TestMain stops the PostgreSQL cluster the cluster tests start.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
