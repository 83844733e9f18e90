// Package e2e holds Gatehouse's end-to-end tests. They run the real gatehouse
// binary, built once by TestMain, as an operator would: "gatehouse serve"
// processes on 127.0.0.1 over SQLite files and PostgreSQL schemas, set up
// through the REST API with the operator token and through the administration
// commands, with a real SimpleSAMLphp IdP (internal/idptest) and a real
// Chromium (internal/browsertest) for the SAML logins.
//
// The package owns no production code: this file only documents it.
// main_test.go builds the binary, server_test.go starts and stops gatehouse
// processes and calls their API, cli_test.go runs the commands, http_test.go
// and browser_test.go read what a client and a browser see, and acme_test.go
// builds the enterprise and IdP the SSO tests share. The tests themselves sit
// by feature: foundation_test.go (setting up through the API and the
// commands, and migrations), groupsync_test.go (JIT provisioning and group
// sync, the overage claim), refusal_test.go (refused logins: IdP-initiated
// and replayed responses, a missing attribute, the IP allow list, a
// deactivated user) and session_test.go (logout).
//
// Each test starts its own processes and browser, so tests run in parallel.
// Screenshots of the pages people see land in test-output/screenshots (or
// GATEHOUSE_TEST_OUTPUT). When PostgreSQL, SimpleSAMLphp or Chromium is
// missing, the tests that need it skip, or fail under
// GATEHOUSE_TEST_REQUIRE_PEERS=1, as scripts/test sets it.
package e2e
