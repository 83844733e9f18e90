package admin

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/store"
)

// Administered is what an actor administers, as the console's header
// lists it: enterprises, and organizations directly or through their
// enterprise. Both are sorted by key.
type Administered struct {
	Enterprises   []*gatehouse.Enterprise
	Organizations []*gatehouse.Organization
}

// Administered returns what the user of a administers. It reads only the
// user's own roles, so that its cost does not grow with the number of
// organizations Gatehouse holds. Other actors administer nothing here.
func (s *Service) Administered(ctx context.Context, a gatehouse.Actor) (*Administered, error) {
	out := &Administered{}
	if a.Kind != gatehouse.ActorUser || a.User == nil || !a.User.Active {
		return out, nil
	}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		ids, err := tx.AdminEnterpriseIDs(a.User.ID)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, id := range ids {
			e, err := tx.EnterpriseByID(id)
			if err != nil {
				return fmt.Errorf("read enterprise %d: %w", id, err)
			}
			out.Enterprises = append(out.Enterprises, e)
			orgs, err := tx.ListOrganizations(store.OrganizationFilter{EnterpriseID: id})
			if err != nil {
				return err
			}
			for _, o := range orgs {
				seen[o.ID] = true
				out.Organizations = append(out.Organizations, o)
			}
		}
		return s.directlyAdministered(tx, a.User, seen, out)
	})
	slices.SortFunc(out.Enterprises, func(x, y *gatehouse.Enterprise) int { return cmp.Compare(x.Key, y.Key) })
	slices.SortFunc(out.Organizations, func(x, y *gatehouse.Organization) int { return cmp.Compare(x.Key, y.Key) })
	return out, err
}

// directlyAdministered adds to out the organizations where u holds the
// admin permission, except those in seen.
func (s *Service) directlyAdministered(tx store.Tx, u *gatehouse.User, seen map[int64]bool, out *Administered) error {
	grants, err := tx.UserPermissions(u.ID, 0)
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.Permission != gatehouse.PermissionAdmin || seen[g.OrganizationID] {
			continue
		}
		o, err := tx.OrganizationByID(g.OrganizationID)
		if err != nil {
			return fmt.Errorf("read organization %d: %w", g.OrganizationID, err)
		}
		seen[o.ID] = true
		out.Organizations = append(out.Organizations, o)
	}
	return nil
}

// An SSOSetup is what the SSO & Provisioning page shows: the values to
// enter in the identity provider, known before any connection exists
// (SPEC §2), and the connection with its warnings when there is one.
type SSOSetup struct {
	Enterprise *gatehouse.Enterprise
	// EntityID, ACSURL, MetadataURL and LoginURL are the SP entity ID, the
	// ACS URL, the SP metadata URL and the SSO login URL.
	EntityID, ACSURL, MetadataURL, LoginURL string
	// View is the connection, or nil when the enterprise has none yet.
	View *SSOView
}

// SSOSetup returns the SSO setup of the enterprise with key.
func (s *Service) SSOSetup(ctx context.Context, a gatehouse.Actor, key string) (*SSOSetup, error) {
	var out *SSOSetup
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		// The same identifiers as saml.New gives a connection (SPEC §2).
		base := strings.TrimSuffix(s.BaseURL.String(), "/") + "/saml/" + url.PathEscape(e.Key)
		out = &SSOSetup{Enterprise: e, EntityID: base, ACSURL: base + "/acs", MetadataURL: base + "/metadata", LoginURL: s.LoginURL(e.Key)}
		conn, err := tx.SSOConnection(e.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out.View, err = s.ssoView(tx, e, conn)
		return err
	})
	return out, err
}

// SetPermissions gives each group of the organization with key, by ID,
// exactly the permissions of grid, in one transaction: the console's
// permissions grid. Groups the grid leaves out keep theirs. The Members
// group cannot be changed, and a grid that leaves the organization
// without an admin is refused; either way nothing is written.
func (s *Service) SetPermissions(ctx context.Context, a gatehouse.Actor, key string, grid map[int64][]gatehouse.Permission) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := adminOrganization(tx, r, key)
		if err != nil {
			return err
		}
		groups, err := tx.ListGroups(o.ID)
		if err != nil {
			return err
		}
		byID := map[int64]*gatehouse.Group{}
		for _, g := range groups {
			byID[g.ID] = g
		}
		return keepAdmins(tx, o, "These permissions", func() error {
			for _, id := range slices.Sorted(maps.Keys(grid)) {
				if err := s.setGroupPermissions(tx, a, o, byID[id], id, grid[id]); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// setGroupPermissions gives g (the group with id of o, nil if it is not
// one) the permissions perms, and records the changes.
func (s *Service) setGroupPermissions(tx store.Tx, a gatehouse.Actor, o *gatehouse.Organization, g *gatehouse.Group, id int64, perms []gatehouse.Permission) error {
	if g == nil {
		return gatehouse.Errorf(gatehouse.ENOTFOUND, "Group %d is not a group of organization %q: it may have been deleted. Reload the page.", id, o.Key)
	}
	perms, err := gatehouse.NormalizePermissions("permissions", perms)
	if err != nil {
		return err
	}
	if slices.Equal(perms, g.Permissions) {
		return nil
	}
	if g.IsMembers() {
		return errMembersImmutable
	}
	before := g.Permissions
	g.Permissions = perms
	if err := tx.UpdateGroup(g); err != nil {
		return err
	}
	return s.recordPermissions(tx, a, o, g, before, perms)
}
