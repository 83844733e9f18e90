// Package pgtest gives tests a PostgreSQL database: a fresh, empty schema
// per test, on the server named by GATEHOUSE_TEST_POSTGRES or else on a
// throwaway cluster that the test binary starts from the installed
// PostgreSQL binaries and stops when it ends.
//
// A package that uses it calls [Main] from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Without a server, tests skip with a message saying what to install; with
// GATEHOUSE_TEST_REQUIRE_PEERS=1, as CI sets it, they fail instead.
//
// It owns the server and the schemas; what a test puts in them is the
// test's. pgtest.go hands out schemas, cluster.go runs the throwaway server.
package pgtest
