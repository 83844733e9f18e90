package store

import "github.com/gatehouse-sso/gatehouse"

// MembershipFilter narrows ListMemberships. At least one field must be set.
type MembershipFilter struct {
	UserID         int64
	GroupID        int64
	OrganizationID int64
	// EnterpriseID keeps memberships in the groups of the enterprise's
	// organizations.
	EnterpriseID int64
}

// A PermissionGrant is one permission a user holds in one organization.
type PermissionGrant struct {
	OrganizationID int64
	Permission     gatehouse.Permission
}

// Memberships stores who is in which group, and answers permission questions.
type Memberships interface {
	// AddMembership inserts m, with the group's organization, which it sets
	// in m.OrganizationID. It is ErrConflict if the user is already in the
	// group, or if the user or group does not exist.
	AddMembership(m *gatehouse.Membership) error
	// RemoveMembership removes the user from the group.
	RemoveMembership(userID, groupID int64) error
	// ListMemberships returns the matching memberships, by organization,
	// group, then user.
	ListMemberships(f MembershipFilter) ([]*gatehouse.Membership, error)
	// UserPermissions returns the permissions the user holds in the
	// organization (organizationID > 0) or in every organization (0):
	// those of the groups they are in, and those of Members in every
	// organization they belong to. Sorted by organization then permission order.
	UserPermissions(userID, organizationID int64) ([]PermissionGrant, error)
	// OrganizationAdmins returns the IDs of the active users who hold the
	// admin permission in the organization, ascending.
	OrganizationAdmins(organizationID int64) ([]int64, error)
}
