package admin

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// errMembersImmutable refuses any edit of the Members group (SPEC §1).
var errMembersImmutable = gatehouse.Errorf(gatehouse.ECONFLICT,
	"The Members group is built in: its members are the organization's members, and it cannot be deleted, renamed or edited.")

// CreateGroup creates g in the organization with key and sets its ID.
func (s *Service) CreateGroup(ctx context.Context, a gatehouse.Actor, key string, g *gatehouse.Group) error {
	g.ManagedBy = gatehouse.ManagedLocal
	g.Builtin = ""
	if err := g.Validate(); err != nil {
		return err
	}
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := adminOrganization(tx, r, key)
		if err != nil {
			return err
		}
		g.OrganizationID = o.ID
		g.CreatedAt = s.Now().UTC()
		if err := tx.CreateGroup(g); err != nil {
			return conflict(err, "Organization %q already has a group named %q.", key, g.Name)
		}
		if err := s.record(tx, a, audit.Event{Type: gatehouse.AuditGroupCreate, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "group:" + g.Name, Details: map[string]any{"group_id": g.ID}}); err != nil {
			return err
		}
		return s.recordPermissions(tx, a, o, g, nil, g.Permissions)
	})
}

// Group returns the group with id and its organization, if a administers it.
func (s *Service) Group(ctx context.Context, a gatehouse.Actor, id int64) (*gatehouse.Group, *gatehouse.Organization, error) {
	var g *gatehouse.Group
	var o *gatehouse.Organization
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var err error
		g, o, err = adminGroup(tx, r, id)
		return err
	})
	return g, o, err
}

// adminGroup reads the group with id and its organization, and checks
// that r may administer it.
func adminGroup(tx store.Tx, r *access.Roles, id int64) (*gatehouse.Group, *gatehouse.Organization, error) {
	g, err := tx.Group(id)
	if err != nil {
		return nil, nil, notFound(err, "Group %d does not exist.", id)
	}
	o, err := tx.OrganizationByID(g.OrganizationID)
	if err != nil {
		return nil, nil, fmt.Errorf("read organization of group %d: %w", id, err)
	}
	if !r.OrganizationAdmin(o) {
		return nil, nil, access.Forbidden(fmt.Sprintf("administer organization %q", o.Key))
	}
	return g, o, nil
}

// ListGroups returns the groups of the organization with key.
func (s *Service) ListGroups(ctx context.Context, a gatehouse.Actor, key string) ([]*gatehouse.Group, error) {
	var out []*gatehouse.Group
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := adminOrganization(tx, r, key)
		if err != nil {
			return err
		}
		out, err = tx.ListGroups(o.ID)
		return err
	})
	return out, err
}

// A GroupUpdate holds the fields to change; nil fields stay as they are.
type GroupUpdate struct {
	Name        *string
	Description *string
	Permissions *[]gatehouse.Permission
}

// UpdateGroup applies u to the group with id and returns it. The Members
// group cannot be changed; a change that leaves the organization without
// an admin is refused.
func (s *Service) UpdateGroup(ctx context.Context, a gatehouse.Actor, id int64, u GroupUpdate) (*gatehouse.Group, error) {
	var g *gatehouse.Group
	err := s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var o *gatehouse.Organization
		var err error
		if g, o, err = adminGroup(tx, r, id); err != nil {
			return err
		}
		if g.IsMembers() {
			return errMembersImmutable
		}
		prev := *g
		applyGroupUpdate(g, u)
		if err := g.Validate(); err != nil {
			return err
		}
		return keepAdmins(tx, o, fmt.Sprintf("Changing group %q", prev.Name), func() error {
			if err := tx.UpdateGroup(g); err != nil {
				return conflict(err, "Organization %q already has a group named %q.", o.Key, g.Name)
			}
			if err := s.recordGroupUpdate(tx, a, o, &prev, g); err != nil {
				return err
			}
			return s.recordPermissions(tx, a, o, g, prev.Permissions, g.Permissions)
		})
	})
	return g, err
}

func applyGroupUpdate(g *gatehouse.Group, u GroupUpdate) {
	if u.Name != nil {
		g.Name = *u.Name
	}
	if u.Description != nil {
		g.Description = *u.Description
	}
	if u.Permissions != nil {
		g.Permissions = *u.Permissions
	}
}

// recordGroupUpdate records a rename or a new description.
func (s *Service) recordGroupUpdate(tx store.Tx, a gatehouse.Actor, o *gatehouse.Organization, prev, g *gatehouse.Group) error {
	details := map[string]any{"group_id": g.ID}
	if prev.Name != g.Name {
		details["old_name"] = prev.Name
	}
	if prev.Description != g.Description {
		details["description"] = g.Description
	}
	if len(details) == 1 {
		return nil
	}
	return s.record(tx, a, audit.Event{Type: gatehouse.AuditGroupUpdate, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
		Target: "group:" + g.Name, Details: details})
}

// recordPermissions records each permission added to or removed from g.
func (s *Service) recordPermissions(tx store.Tx, a gatehouse.Actor, o *gatehouse.Organization, g *gatehouse.Group, before, after []gatehouse.Permission) error {
	for _, p := range gatehouse.Permissions {
		typ := ""
		switch had, has := slices.Contains(before, p), slices.Contains(after, p); {
		case has && !had:
			typ = gatehouse.AuditAddPermission
		case had && !has:
			typ = gatehouse.AuditRemovePermission
		default:
			continue
		}
		if err := s.record(tx, a, audit.Event{Type: typ, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "group:" + g.Name, Details: map[string]any{"group_id": g.ID, "permission": string(p)}}); err != nil {
			return err
		}
	}
	return nil
}

// DeleteGroup deletes the group with id and its memberships. Members
// cannot be deleted; a deletion that leaves the organization without an
// admin is refused.
func (s *Service) DeleteGroup(ctx context.Context, a gatehouse.Actor, id int64) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		g, o, err := adminGroup(tx, r, id)
		if err != nil {
			return err
		}
		if g.IsMembers() {
			return errMembersImmutable
		}
		return keepAdmins(tx, o, fmt.Sprintf("Deleting group %q", g.Name), func() error {
			if err := tx.DeleteGroup(g.ID); err != nil {
				return err
			}
			return s.record(tx, a, audit.Event{Type: gatehouse.AuditGroupRemove, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
				Target: "group:" + g.Name, Details: map[string]any{"group_id": g.ID}})
		})
	})
}

// A GroupMember is a user in a group, with how they got there.
type GroupMember struct {
	User       *gatehouse.User
	Membership *gatehouse.Membership
}

// GroupMembers returns the members of the group with id, by login. The
// members of Members are the organization's members.
func (s *Service) GroupMembers(ctx context.Context, a gatehouse.Actor, id int64) ([]*GroupMember, error) {
	var out []*GroupMember
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		g, o, err := adminGroup(tx, r, id)
		if err != nil {
			return err
		}
		f := store.MembershipFilter{GroupID: g.ID}
		if g.IsMembers() {
			f = store.MembershipFilter{OrganizationID: o.ID}
		}
		ms, err := tx.ListMemberships(f)
		if err != nil {
			return err
		}
		members, err := groupByUser(tx, ms)
		for _, m := range members {
			out = append(out, &GroupMember{User: m.User, Membership: membershipIn(m.Memberships, g.ID)})
		}
		return err
	})
	return out, err
}

// membershipIn returns the membership of group id among ms, or the first
// of ms (an implicit Members membership).
func membershipIn(ms []*gatehouse.Membership, id int64) *gatehouse.Membership {
	for _, m := range ms {
		if m.GroupID == id {
			return m
		}
	}
	return ms[0]
}

// AddGroupMember puts the user with login in the group with id, as a
// manual membership. Members (implicit) and IdP-managed groups refuse it.
func (s *Service) AddGroupMember(ctx context.Context, a gatehouse.Actor, id int64, login string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		g, o, err := adminGroup(tx, r, id)
		if err != nil {
			return err
		}
		if err := manualMembershipAllowed(g); err != nil {
			return err
		}
		u, err := userByLogin(tx, login)
		if err != nil {
			return err
		}
		return s.addMembership(tx, a, o, g, u)
	})
}

// RemoveGroupMember takes the user with login out of the group with id,
// unless that leaves the organization without an admin.
func (s *Service) RemoveGroupMember(ctx context.Context, a gatehouse.Actor, id int64, login string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		g, o, err := adminGroup(tx, r, id)
		if err != nil {
			return err
		}
		if err := manualMembershipAllowed(g); err != nil {
			return err
		}
		u, err := userByLogin(tx, login)
		if err != nil {
			return err
		}
		return keepAdmins(tx, o, fmt.Sprintf("Removing %q from %q", login, g.Name), func() error {
			if err := tx.RemoveMembership(u.ID, g.ID); err != nil {
				return notFound(err, "User %q is not in group %q.", login, g.Name)
			}
			if err := s.record(tx, a, audit.Event{Type: gatehouse.AuditGroupRemoveMember, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
				Target: "user:" + u.Login, Details: map[string]any{"group": g.Name, "group_id": g.ID}}); err != nil {
				return err
			}
			return s.recordLeftOrganization(tx, a, o, u)
		})
	})
}

// recordLeftOrganization records org.remove_user when u has no membership
// left in o.
func (s *Service) recordLeftOrganization(tx store.Tx, a gatehouse.Actor, o *gatehouse.Organization, u *gatehouse.User) error {
	left, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID, OrganizationID: o.ID})
	if err != nil || len(left) > 0 {
		return err
	}
	return s.record(tx, a, audit.Event{Type: gatehouse.AuditOrgRemoveUser, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
		Target: "user:" + u.Login})
}

// manualMembershipAllowed refuses manual membership changes where the
// identity provider or the organization decides.
func manualMembershipAllowed(g *gatehouse.Group) error {
	if g.IsMembers() {
		return gatehouse.Errorf(gatehouse.ECONFLICT, "The members of Members are the organization's members: add a local user to the organization, or an SSO user to another group.")
	}
	if g.ManagedBy == gatehouse.ManagedSCIM {
		return gatehouse.Errorf(gatehouse.ECONFLICT, "Group %q is managed by the identity provider (SCIM): change its members there.", g.Name)
	}
	return nil
}

func sortMembers(ms []*Member) {
	slices.SortFunc(ms, func(a, b *Member) int { return cmp.Compare(a.User.Login, b.User.Login) })
}
