// Package token owns Gatehouse's API tokens: their format (gat_ and gsot_
// with a checksum), hashing, life cycle (create, list, revoke, the removal
// of unused tokens), their authentication on each request, and the access
// check that answers "may this token's holder do P in organization O?".
//
// A personal access token carries its user's permissions as they are at
// the moment of use: Check reads them on every call, so that a group sync
// that removes a permission takes effect on the next request. A scoped
// organization token allows only Execute Analysis (scan) in its
// organization, on its projects when it has a scope.
//
// It does not own sessions (package login), the rules of who administers
// what (package access), nor HTTP: web hands it the bearer secret and the
// client address it decided to believe.
//
// format.go holds the token format; service.go authentication and the
// access check; personal.go and organization.go the two kinds' life cycle;
// expire.go the removal of unused tokens.
package token
