package store

import "github.com/gatehouse-sso/gatehouse"

// OrganizationFilter narrows ListOrganizations. Zero fields match everything.
type OrganizationFilter struct {
	EnterpriseID int64
	// MemberID keeps the organizations in which the user has a membership.
	MemberID int64
}

// Organizations stores organizations.
type Organizations interface {
	// CreateOrganization inserts o and sets o.ID; it does not create the
	// built-in groups. A taken key is ErrConflict.
	CreateOrganization(o *gatehouse.Organization) error
	// Organization returns the organization with key.
	Organization(key string) (*gatehouse.Organization, error)
	// OrganizationByID returns the organization with id.
	OrganizationByID(id int64) (*gatehouse.Organization, error)
	// ListOrganizations returns the matching organizations, by key.
	ListOrganizations(f OrganizationFilter) ([]*gatehouse.Organization, error)
	// CountOrganizations returns how many organizations the enterprise holds.
	CountOrganizations(enterpriseID int64) (int, error)
	// UpdateOrganization writes o's name and enterprise.
	UpdateOrganization(o *gatehouse.Organization) error
	// DeleteOrganization removes the organization with its groups,
	// memberships, projects and organization tokens.
	DeleteOrganization(id int64) error
}
