package token

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// MaxOrganizationTokens is how many tokens one organization may hold.
const MaxOrganizationTokens = 500

// An OrganizationTokenInput describes a new scoped organization token. Its
// permission is always scan (Execute Analysis).
type OrganizationTokenInput struct {
	Name string
	// Projects are the keys of the projects the token may scan, each an
	// existing project of the organization. Empty means every project,
	// present and future.
	Projects []string
	// ExpiresAt is when the token stops working; zero means never, and
	// then it is removed after 60 days unused.
	ExpiresAt time.Time
}

// CreateOrganizationToken creates a scoped organization token in the
// organization with key organization and records token.create. Only the
// organization's administrators may (its admins, its enterprise's admins),
// acting as themselves: the token records its creator, so the operator,
// who is no user, cannot. The returned secret is shown once.
func (s *Service) CreateOrganizationToken(ctx context.Context, a gatehouse.Actor, organization string, in OrganizationTokenInput) (*Created, error) {
	k, secret, err := newToken(gatehouse.TokenOrganization, in.Name, s.Now().UTC(), in.ExpiresAt)
	if err != nil {
		return nil, err
	}
	var sum *Summary
	err = s.Store.Tx(ctx, func(tx store.Tx) error {
		o, err := adminOrganization(tx, a, organization)
		if err != nil {
			return err
		}
		if a.UserID() == 0 {
			return gatehouse.Errorf(gatehouse.EFORBIDDEN, "An organization token records the administrator who created it: create it with an administrator's own token or session, not the operator token.")
		}
		k.UserID, k.OrganizationID = a.UserID(), o.ID
		if k.ProjectIDs, err = scope(tx, o, in.Projects); err != nil {
			return err
		}
		if err := k.Validate(); err != nil {
			return err
		}
		if err := s.refuseOrganizationToken(tx, o, in.Name); err != nil {
			return err
		}
		if err := tx.CreateToken(k); err != nil {
			return err
		}
		if sum, err = s.summarizer(tx, o).summary(k); err != nil {
			return err
		}
		return audit.Record(tx, s.Now(), a, organizationEvent(gatehouse.AuditTokenCreate, o, sum))
	})
	if err != nil {
		return nil, err
	}
	return &Created{Summary: *sum, Secret: secret}, nil
}

// adminOrganization reads the organization with key and checks that a
// administers it.
func adminOrganization(tx store.Tx, a gatehouse.Actor, key string) (*gatehouse.Organization, error) {
	o, err := tx.Organization(key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, gatehouse.Errorf(gatehouse.ENOTFOUND, "Organization %q does not exist.", key)
	}
	if err != nil {
		return nil, err
	}
	r, err := access.Of(tx, a)
	if err != nil {
		return nil, err
	}
	if !r.OrganizationAdmin(o) {
		return nil, access.Forbidden(fmt.Sprintf("manage the tokens of organization %q", key))
	}
	return o, nil
}

// scope returns the IDs of the projects of o with keys, without repeats.
// A key that names no project of o is EINVALID.
func scope(tx store.Tx, o *gatehouse.Organization, keys []string) ([]int64, error) {
	var ids []int64
	seen := map[string]bool{}
	for _, key := range keys {
		if seen[key] {
			continue
		}
		seen[key] = true
		p, err := tx.Project(o.ID, key)
		if errors.Is(err, store.ErrNotFound) {
			return nil, gatehouse.Invalidf("projects", "Project %q does not exist in organization %q.", key, o.Key)
		}
		if err != nil {
			return nil, err
		}
		ids = append(ids, p.ID)
	}
	return ids, nil
}

// refuseOrganizationToken refuses a new token of o named name when o holds
// as many tokens as it may, or one of that name.
func (s *Service) refuseOrganizationToken(tx store.Tx, o *gatehouse.Organization, name string) error {
	theirs, err := tx.ListTokens(store.TokenFilter{OrganizationID: o.ID})
	if err != nil {
		return err
	}
	if len(theirs) >= MaxOrganizationTokens {
		return gatehouse.Errorf(gatehouse.ECONFLICT, "Organization %q holds %d tokens, the most one organization may: revoke one first.", o.Key, len(theirs))
	}
	return refuseTakenName(theirs, name, fmt.Sprintf("Organization %q", o.Key))
}

// A summarizer makes the summaries of one organization's tokens, reading
// each creator, and the organization's projects, at most once.
type summarizer struct {
	tx  store.Tx
	o   *gatehouse.Organization
	now time.Time
	// logins are the creators' logins by user ID.
	logins map[int64]string
	// projects are the organization's project keys by ID; nil until a
	// scoped token needs them.
	projects map[int64]string
}

func (s *Service) summarizer(tx store.Tx, o *gatehouse.Organization) *summarizer {
	return &summarizer{tx: tx, o: o, now: s.Now(), logins: map[int64]string{}}
}

// summary returns the summary of the organization's token k.
func (z *summarizer) summary(k *gatehouse.Token) (*Summary, error) {
	if _, ok := z.logins[k.UserID]; !ok && k.UserID != 0 {
		u, err := z.tx.User(k.UserID)
		if err != nil {
			return nil, err
		}
		z.logins[k.UserID] = u.Login
	}
	sum := &Summary{Token: k, Status: k.Status(z.now), CreatedBy: z.logins[k.UserID]}
	if len(k.ProjectIDs) > 0 && z.projects == nil {
		ps, err := z.tx.ListProjects(z.o.ID)
		if err != nil {
			return nil, err
		}
		z.projects = make(map[int64]string, len(ps))
		for _, p := range ps {
			z.projects[p.ID] = p.Key
		}
	}
	for _, id := range k.ProjectIDs {
		sum.Projects = append(sum.Projects, z.projects[id])
	}
	return sum, nil
}

// organizationEvent is the audit event of type typ about o's token sum.
func organizationEvent(typ string, o *gatehouse.Organization, sum *Summary) audit.Event {
	k := sum.Token
	details := map[string]any{"token_id": k.ID, "name": k.Name, "kind": k.Kind, "permission": string(gatehouse.PermissionScan)}
	if len(sum.Projects) > 0 {
		details["projects"] = sum.Projects
	}
	if !k.ExpiresAt.IsZero() {
		details["expires_at"] = k.ExpiresAt
	}
	return audit.Event{Type: typ, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID, Target: "organization:" + o.Key, Details: details}
}

// OrganizationTokens returns the tokens of the organization with key
// organization, newest first, with their status, scope, creator and last
// use. Only the organization's administrators and the operator may list them.
func (s *Service) OrganizationTokens(ctx context.Context, a gatehouse.Actor, organization string) ([]*Summary, error) {
	var out []*Summary
	err := s.Store.View(ctx, func(tx store.Tx) error {
		o, err := adminOrganization(tx, a, organization)
		if err != nil {
			return err
		}
		ks, err := tx.ListTokens(store.TokenFilter{OrganizationID: o.ID})
		if err != nil {
			return err
		}
		z := s.summarizer(tx, o)
		for _, k := range ks {
			sum, err := z.summary(k)
			if err != nil {
				return err
			}
			out = append(out, sum)
		}
		return nil
	})
	return out, err
}

// RevokeOrganizationToken deletes the token with id of the organization
// with key organization and records token.revoke. Only the organization's
// administrators and the operator may. A token of another organization is
// ENOTFOUND, as an unknown one is.
func (s *Service) RevokeOrganizationToken(ctx context.Context, a gatehouse.Actor, organization string, id int64) error {
	return s.Store.Tx(ctx, func(tx store.Tx) error {
		o, err := adminOrganization(tx, a, organization)
		if err != nil {
			return err
		}
		k, err := tx.Token(id)
		if errors.Is(err, store.ErrNotFound) || err == nil && k.OrganizationID != o.ID {
			return gatehouse.Errorf(gatehouse.ENOTFOUND, "Organization %q has no token %d.", organization, id)
		}
		if err != nil {
			return err
		}
		sum, err := s.summarizer(tx, o).summary(k)
		if err != nil {
			return err
		}
		if err := tx.DeleteToken(k.ID); err != nil {
			return err
		}
		return audit.Record(tx, s.Now(), a, organizationEvent(gatehouse.AuditTokenRevoke, o, sum))
	})
}
