package gatehouse

import "time"

// Sources of a membership: who put the user in the group.
const (
	SourceSync   = "sync"   // SAML group sync at login
	SourceSCIM   = "scim"   // the identity provider through SCIM
	SourceManual = "manual" // an administrator
)

// A Membership puts a user in a group. An SSO user is a member of an
// organization exactly when they are in at least one of its non-Members
// groups; a local user joins through a manual membership of Members.
type Membership struct {
	UserID  int64
	GroupID int64
	// OrganizationID is the group's organization, kept on the row so that
	// organization membership is one indexed look-up.
	OrganizationID int64
	Source         string    // SourceSync, SourceSCIM or SourceManual
	CreatedAt      time.Time // UTC
}
