package admin

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

// A Profile is what a user sees of themself (SPEC §7, /me).
type Profile struct {
	User *gatehouse.User
	// Enterprise is an SSO user's enterprise; nil for local users.
	Enterprise    *gatehouse.Enterprise
	Organizations []*OrganizationProfile
}

// An OrganizationProfile is one organization of a user: the groups they
// are in there (Members included) and the permissions those give.
type OrganizationProfile struct {
	Organization *gatehouse.Organization
	Groups       []*gatehouse.Group
	Permissions  []gatehouse.Permission
}

// Profile returns u's organizations, groups and effective permissions.
func (s *Service) Profile(ctx context.Context, u *gatehouse.User) (*Profile, error) {
	p := &Profile{User: u}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		if u.EnterpriseID != 0 {
			e, err := tx.EnterpriseByID(u.EnterpriseID)
			if err != nil {
				return err
			}
			p.Enterprise = e
		}
		orgs, err := tx.ListOrganizations(store.OrganizationFilter{MemberID: u.ID})
		if err != nil {
			return err
		}
		byOrg, err := groupsByOrganization(tx, u)
		if err != nil {
			return err
		}
		grants, err := tx.UserPermissions(u.ID, 0)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			op := &OrganizationProfile{Organization: o, Groups: byOrg[o.ID]}
			for _, g := range grants {
				if g.OrganizationID == o.ID {
					op.Permissions = append(op.Permissions, g.Permission)
				}
			}
			p.Organizations = append(p.Organizations, op)
		}
		return nil
	})
	return p, err
}

// groupsByOrganization returns u's groups by organization, each list
// starting with the organization's Members group.
func groupsByOrganization(tx store.Tx, u *gatehouse.User) (map[int64][]*gatehouse.Group, error) {
	ms, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.GroupID
	}
	gs, err := tx.GroupsByID(ids)
	if err != nil {
		return nil, err
	}
	out := map[int64][]*gatehouse.Group{}
	for _, g := range gs {
		if out[g.OrganizationID] == nil {
			// Every organization has its Members group, from its creation on.
			members, err := tx.GroupByName(g.OrganizationID, gatehouse.MembersGroupName)
			if err != nil {
				return nil, fmt.Errorf("read Members of organization %d: %w", g.OrganizationID, err)
			}
			out[g.OrganizationID] = []*gatehouse.Group{members}
		}
		if !g.IsMembers() {
			out[g.OrganizationID] = append(out[g.OrganizationID], g)
		}
	}
	for _, groups := range out {
		slices.SortFunc(groups[1:], func(a, b *gatehouse.Group) int { return cmp.Compare(a.Name, b.Name) })
	}
	return out, nil
}
