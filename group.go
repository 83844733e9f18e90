package gatehouse

import (
	"slices"
	"time"
)

// A Permission is a right a group gives its members in its organization.
type Permission string

// The permissions of an organization.
const (
	PermissionAdmin        Permission = "admin"        // Administer Organization
	PermissionScan         Permission = "scan"         // Execute Analysis
	PermissionProvisioning Permission = "provisioning" // Create Projects
	PermissionGateAdmin    Permission = "gateadmin"    // Administer Quality Gates
	PermissionProfileAdmin Permission = "profileadmin" // Administer Quality Profiles
)

// Permissions lists every permission, in display order.
var Permissions = []Permission{PermissionAdmin, PermissionScan, PermissionProvisioning, PermissionGateAdmin, PermissionProfileAdmin}

// Label returns the name of p shown to people.
func (p Permission) Label() string {
	switch p {
	case PermissionAdmin:
		return "Administer Organization"
	case PermissionScan:
		return "Execute Analysis"
	case PermissionProvisioning:
		return "Create Projects"
	case PermissionGateAdmin:
		return "Administer Quality Gates"
	case PermissionProfileAdmin:
		return "Administer Quality Profiles"
	}
	return string(p)
}

// Valid reports whether p is one of [Permissions].
func (p Permission) Valid() bool { return slices.Contains(Permissions, p) }

// Names of the built-in groups every organization has.
const (
	MembersGroupName = "Members"
	OwnersGroupName  = "Owners"
)

// Who manages a group's memberships.
const (
	ManagedLocal = "local" // admins, and SAML group sync
	ManagedSCIM  = "scim"  // the identity provider through SCIM
)

// Built-in group kinds.
const (
	BuiltinMembers = "members"
	BuiltinOwners  = "owners"
)

// A Group gives its members permissions in one organization. Its name is
// unique in the organization and case-sensitive: "Devs" and "devs" are two
// groups, and group sync matches names exactly.
type Group struct {
	ID             int64
	OrganizationID int64
	Name           string
	Description    string
	// Permissions is sorted in the order of [Permissions], without duplicates.
	Permissions []Permission
	ManagedBy   string // ManagedLocal or ManagedSCIM
	// Builtin is BuiltinMembers, BuiltinOwners or "".
	Builtin   string
	CreatedAt time.Time // UTC
}

// IsMembers reports whether g is its organization's implicit Members group,
// which cannot be edited and which group sync never targets.
func (g *Group) IsMembers() bool { return g.Builtin == BuiltinMembers }

// Has reports whether g grants p.
func (g *Group) Has(p Permission) bool { return slices.Contains(g.Permissions, p) }

// Validate reports the first field of g that breaks a rule. It sorts and
// deduplicates Permissions in place.
func (g *Group) Validate() error {
	if err := validName("name", g.Name); err != nil {
		return err
	}
	if len(g.Description) > 1000 {
		return Invalidf("description", "The description is longer than 1000 characters.")
	}
	perms, err := NormalizePermissions("permissions", g.Permissions)
	if err != nil {
		return err
	}
	g.Permissions = perms
	if g.ManagedBy != ManagedLocal && g.ManagedBy != ManagedSCIM {
		return Invalidf("managed_by", "managed_by must be %q or %q.", ManagedLocal, ManagedSCIM)
	}
	return nil
}

// NormalizePermissions checks that every entry of ps is a known permission
// and returns them without duplicates in the order of [Permissions]. field
// names the input in the error.
func NormalizePermissions(field string, ps []Permission) ([]Permission, error) {
	for i, p := range ps {
		if !p.Valid() {
			return nil, Invalidf(field, "Permission %q (entry %d of %s) is unknown; use one of admin, scan, provisioning, gateadmin, profileadmin.", p, i+1, field)
		}
	}
	out := make([]Permission, 0, len(ps))
	for _, p := range Permissions {
		if slices.Contains(ps, p) {
			out = append(out, p)
		}
	}
	return out, nil
}
