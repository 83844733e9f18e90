// Package admin is the administration service: enterprises and their
// administrators, organizations with their built-in groups, groups with
// permissions and members, projects, local users, SSO connections (with
// their setup warnings and the daily refresh of IdP metadata), and the
// audit log's listing. The REST API, the console and the CLI all call it.
//
// Every method takes the acting [gatehouse.Actor], checks with package
// access that the actor may act, validates its input, and makes its change
// and its audit events in one transaction, so that a refused or failed
// call writes nothing. It enforces the rules that span rows: the Members
// group is immutable, an organization keeps at least one admin, an SSO
// user joins only organizations of its enterprise.
//
// It does not own SSO logins and group sync (login, provision), tokens
// (token) or storage (store).
package admin
