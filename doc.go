// Package gatehouse is the domain of Gatehouse: enterprises, organizations,
// groups with permissions, projects, users and their memberships, tokens,
// sessions, SSO connections, the audit log, and the [Identity] a verified
// SAML assertion yields. It holds types, their rules (Validate methods) and
// [Error]; it imports only the standard library. Behaviour lives in the
// service packages (admin, login, provision, token, audit, access),
// storage in store, and HTTP in web.
package gatehouse
