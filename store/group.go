package store

import "github.com/gatehouse-sso/gatehouse"

// Groups stores groups and their permissions.
type Groups interface {
	// CreateGroup inserts g and sets g.ID. A name taken in the organization
	// (compared case-sensitively) is ErrConflict.
	CreateGroup(g *gatehouse.Group) error
	// Group returns the group with id.
	Group(id int64) (*gatehouse.Group, error)
	// GroupByName returns the group of the organization named exactly name.
	GroupByName(organizationID int64, name string) (*gatehouse.Group, error)
	// ListGroups returns the organization's groups, Members and Owners
	// first, then by name.
	ListGroups(organizationID int64) ([]*gatehouse.Group, error)
	// GroupsNamed returns the groups of every organization of the enterprise
	// whose name is exactly one of names, by organization then name. Its
	// cost depends on len(names), not on the number of organizations or groups.
	GroupsNamed(enterpriseID int64, names []string) ([]*gatehouse.Group, error)
	// GroupsByID returns the groups with the given IDs, in any order; IDs
	// that do not exist are left out.
	GroupsByID(ids []int64) ([]*gatehouse.Group, error)
	// UpdateGroup writes g's name, description, permissions and managed_by.
	UpdateGroup(g *gatehouse.Group) error
	// DeleteGroup removes the group and its memberships.
	DeleteGroup(id int64) error
}
