package admin

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// CreateOrganization creates o with its built-in Members and Owners groups
// in the enterprise with enterpriseKey ("" for none), and sets o's ID and
// creation time. The operator and the enterprise's admins may create
// organizations in an enterprise; any active local user may create one
// outside enterprises. A user who creates an organization is put in its
// Owners group.
func (s *Service) CreateOrganization(ctx context.Context, a gatehouse.Actor, o *gatehouse.Organization, enterpriseKey string) error {
	if err := o.Validate(); err != nil {
		return err
	}
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		if err := s.placeOrganization(tx, r, a, o, enterpriseKey); err != nil {
			return err
		}
		o.CreatedAt = s.Now().UTC()
		if err := tx.CreateOrganization(o); err != nil {
			return conflict(err, "An organization with key %q already exists.", o.Key)
		}
		if err := s.record(tx, a, audit.Event{Type: gatehouse.AuditOrgCreate, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "organization:" + o.Key, Details: map[string]any{"name": o.Name}}); err != nil {
			return err
		}
		return s.createBuiltinGroups(tx, a, o)
	})
}

// placeOrganization checks that a may create o in the enterprise with key
// ("" for none), that the enterprise has room, and sets o.EnterpriseID.
func (s *Service) placeOrganization(tx store.Tx, r *access.Roles, a gatehouse.Actor, o *gatehouse.Organization, key string) error {
	if key == "" {
		if r.Operator() || (a.User != nil && a.User.Kind == gatehouse.UserLocal && a.User.Active) {
			o.EnterpriseID = 0
			return nil
		}
		return access.Forbidden("create organizations outside your enterprise")
	}
	e, err := adminEnterprise(tx, r, key)
	if err != nil {
		return err
	}
	n, err := tx.CountOrganizations(e.ID)
	if err != nil {
		return err
	}
	if n >= gatehouse.MaxOrganizationsPerEnterprise {
		return gatehouse.Errorf(gatehouse.ECONFLICT, "Enterprise %q already holds %d organizations, the most it may hold.", key, n)
	}
	o.EnterpriseID = e.ID
	return nil
}

// createBuiltinGroups creates Members and Owners in o, and puts a creating
// user in Owners.
func (s *Service) createBuiltinGroups(tx store.Tx, a gatehouse.Actor, o *gatehouse.Organization) error {
	now := s.Now().UTC()
	members := &gatehouse.Group{OrganizationID: o.ID, Name: gatehouse.MembersGroupName, Builtin: gatehouse.BuiltinMembers,
		Description: "Every member of the organization.", ManagedBy: gatehouse.ManagedLocal, CreatedAt: now}
	owners := &gatehouse.Group{OrganizationID: o.ID, Name: gatehouse.OwnersGroupName, Builtin: gatehouse.BuiltinOwners,
		Description: "Administrators of the organization.", Permissions: []gatehouse.Permission{gatehouse.PermissionAdmin},
		ManagedBy: gatehouse.ManagedLocal, CreatedAt: now}
	for _, g := range []*gatehouse.Group{members, owners} {
		if err := tx.CreateGroup(g); err != nil {
			return fmt.Errorf("create group %q: %w", g.Name, err)
		}
	}
	u := a.User
	if a.Kind != gatehouse.ActorUser || u == nil || (u.Kind == gatehouse.UserSSO && u.EnterpriseID != o.EnterpriseID) {
		return nil
	}
	m := &gatehouse.Membership{UserID: u.ID, GroupID: owners.ID, OrganizationID: o.ID, Source: gatehouse.SourceManual, CreatedAt: now}
	if err := tx.AddMembership(m); err != nil {
		return fmt.Errorf("add creator to Owners: %w", err)
	}
	return s.record(tx, a, audit.Event{Type: gatehouse.AuditGroupAddMember, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
		Target: "user:" + u.Login, Details: map[string]any{"group": owners.Name, "group_id": owners.ID, "source": m.Source}})
}

// Organization returns the organization with key, if a administers it.
func (s *Service) Organization(ctx context.Context, a gatehouse.Actor, key string) (*gatehouse.Organization, error) {
	var o *gatehouse.Organization
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var err error
		o, err = adminOrganization(tx, r, key)
		return err
	})
	return o, err
}

// ListOrganizations returns the organizations a administers, in the
// enterprise with enterpriseKey or, if it is "", everywhere.
func (s *Service) ListOrganizations(ctx context.Context, a gatehouse.Actor, enterpriseKey string) ([]*gatehouse.Organization, error) {
	var out []*gatehouse.Organization
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var f store.OrganizationFilter
		if enterpriseKey != "" {
			e, err := enterprise(tx, enterpriseKey)
			if err != nil {
				return err
			}
			f.EnterpriseID = e.ID
		}
		all, err := tx.ListOrganizations(f)
		if err != nil {
			return err
		}
		for _, o := range all {
			if r.OrganizationAdmin(o) {
				out = append(out, o)
			}
		}
		return nil
	})
	return out, err
}

// UpdateOrganization renames the organization with key and returns it.
func (s *Service) UpdateOrganization(ctx context.Context, a gatehouse.Actor, key string, name *string) (*gatehouse.Organization, error) {
	var o *gatehouse.Organization
	err := s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var err error
		if o, err = adminOrganization(tx, r, key); err != nil {
			return err
		}
		if name == nil || *name == o.Name {
			return nil
		}
		o.Name = *name
		if err := o.Validate(); err != nil {
			return err
		}
		if err := tx.UpdateOrganization(o); err != nil {
			return err
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditOrgUpdate, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "organization:" + o.Key, Details: map[string]any{"name": o.Name}})
	})
	return o, err
}

// DeleteOrganization deletes the organization with key, with its groups,
// memberships, projects and organization tokens. The operator and the
// enterprise's admins may delete it.
func (s *Service) DeleteOrganization(ctx context.Context, a gatehouse.Actor, key string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := organization(tx, key)
		if err != nil {
			return err
		}
		if !r.Operator() && (o.EnterpriseID == 0 || !r.EnterpriseAdmin(o.EnterpriseID)) {
			return access.Forbidden(fmt.Sprintf("delete organization %q", key))
		}
		all := func(*gatehouse.Token) bool { return true }
		if err := s.recordTokensRevoked(tx, a, o, "the organization was deleted", all); err != nil {
			return err
		}
		if err := tx.DeleteOrganization(o.ID); err != nil {
			return err
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditOrgRemove, EnterpriseID: o.EnterpriseID,
			Target: "organization:" + o.Key})
	})
}

// A Member is a user of an organization with the groups they are in there.
type Member struct {
	User        *gatehouse.User
	Memberships []*gatehouse.Membership
}

// Members returns the members of the organization with key, by login.
func (s *Service) Members(ctx context.Context, a gatehouse.Actor, key string) ([]*Member, error) {
	var out []*Member
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := adminOrganization(tx, r, key)
		if err != nil {
			return err
		}
		ms, err := tx.ListMemberships(store.MembershipFilter{OrganizationID: o.ID})
		if err != nil {
			return err
		}
		out, err = groupByUser(tx, ms)
		return err
	})
	return out, err
}

// groupByUser collects memberships per user, ordered by login.
func groupByUser(tx store.Tx, ms []*gatehouse.Membership) ([]*Member, error) {
	byUser := map[int64]*Member{}
	var out []*Member
	for _, m := range ms {
		mem := byUser[m.UserID]
		if mem == nil {
			u, err := tx.User(m.UserID)
			if err != nil {
				return nil, fmt.Errorf("read member %d: %w", m.UserID, err)
			}
			mem = &Member{User: u}
			byUser[m.UserID] = mem
			out = append(out, mem)
		}
		mem.Memberships = append(mem.Memberships, m)
	}
	sortMembers(out)
	return out, nil
}

// AddMember adds the local user with login to the organization, through a
// manual membership of its Members group. SSO users join an organization
// through its groups instead.
func (s *Service) AddMember(ctx context.Context, a gatehouse.Actor, key, login string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := adminOrganization(tx, r, key)
		if err != nil {
			return err
		}
		u, err := userByLogin(tx, login)
		if err != nil {
			return err
		}
		if u.Kind == gatehouse.UserSSO {
			return gatehouse.Invalidf("login", "User %q signs in with SSO: add them to a group of %q (or let group sync do it) instead.", login, key)
		}
		members, err := tx.GroupByName(o.ID, gatehouse.MembersGroupName)
		if err != nil {
			return fmt.Errorf("read Members of %q: %w", key, err)
		}
		return s.addMembership(tx, a, o, members, u)
	})
}

// RemoveMember removes the user with login from every group of the
// organization, unless that leaves it without an admin.
func (s *Service) RemoveMember(ctx context.Context, a gatehouse.Actor, key, login string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := adminOrganization(tx, r, key)
		if err != nil {
			return err
		}
		u, err := userByLogin(tx, login)
		if err != nil {
			return err
		}
		ms, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID, OrganizationID: o.ID})
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return gatehouse.Errorf(gatehouse.ENOTFOUND, "User %q is not a member of organization %q.", login, key)
		}
		return keepAdmins(tx, o, fmt.Sprintf("Removing %q", login), func() error {
			for _, m := range ms {
				if err := tx.RemoveMembership(m.UserID, m.GroupID); err != nil {
					return err
				}
			}
			return s.record(tx, a, audit.Event{Type: gatehouse.AuditOrgRemoveUser, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
				Target: "user:" + u.Login})
		})
	})
}

// addMembership puts u in g manually, after checking that u may join o,
// and records it; joining the organization is recorded too.
func (s *Service) addMembership(tx store.Tx, a gatehouse.Actor, o *gatehouse.Organization, g *gatehouse.Group, u *gatehouse.User) error {
	if u.Kind == gatehouse.UserSSO && u.EnterpriseID != o.EnterpriseID {
		return gatehouse.Invalidf("login", "User %q signs in through another enterprise and cannot join organization %q.", u.Login, o.Key)
	}
	before, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID, OrganizationID: o.ID})
	if err != nil {
		return err
	}
	m := &gatehouse.Membership{UserID: u.ID, GroupID: g.ID, OrganizationID: o.ID, Source: gatehouse.SourceManual, CreatedAt: s.Now().UTC()}
	if err := tx.AddMembership(m); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return gatehouse.Errorf(gatehouse.ECONFLICT, "User %q is already in group %q.", u.Login, g.Name)
		}
		return err
	}
	if len(before) == 0 {
		if err := s.record(tx, a, audit.Event{Type: gatehouse.AuditOrgAddUser, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "user:" + u.Login}); err != nil {
			return err
		}
	}
	return s.record(tx, a, audit.Event{Type: gatehouse.AuditGroupAddMember, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
		Target: "user:" + u.Login, Details: map[string]any{"group": g.Name, "group_id": g.ID, "source": m.Source}})
}
