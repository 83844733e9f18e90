// Package login signs people in: SP-initiated SAML SSO (start, and the
// ACS's verification, JIT provisioning and group sync in one transaction),
// local password login, server-side sessions, and the IP allow list at
// login. Pending requests and the replay cache live in the store, so that
// every node of a cluster shares them. Each node also remembers the
// enterprises and connections it read and the logins it started, to spare
// the ACS a read; the login transaction checks them again (see cache.go).
//
// It does not parse SAML (package saml does) nor compute group sync
// (package provision does); it does not know HTTP: the web package hands
// it form values, cookies and the client address.
package login
