package admin

import (
	"context"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// CreateProject creates p in the organization with key and sets its ID.
func (s *Service) CreateProject(ctx context.Context, a gatehouse.Actor, key string, p *gatehouse.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := adminOrganization(tx, r, key)
		if err != nil {
			return err
		}
		p.OrganizationID = o.ID
		p.CreatedAt = s.Now().UTC()
		if err := tx.CreateProject(p); err != nil {
			return conflict(err, "Organization %q already has a project with key %q.", key, p.Key)
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditProjectCreate, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "project:" + p.Key, Details: map[string]any{"name": p.Name}})
	})
}

// Project returns the project with projectKey of the organization with key.
func (s *Service) Project(ctx context.Context, a gatehouse.Actor, key, projectKey string) (*gatehouse.Project, error) {
	var p *gatehouse.Project
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var err error
		_, p, err = adminProject(tx, r, key, projectKey)
		return err
	})
	return p, err
}

func adminProject(tx store.Tx, r *access.Roles, key, projectKey string) (*gatehouse.Organization, *gatehouse.Project, error) {
	o, err := adminOrganization(tx, r, key)
	if err != nil {
		return nil, nil, err
	}
	p, err := tx.Project(o.ID, projectKey)
	if err != nil {
		return nil, nil, notFound(err, "Organization %q has no project %q.", key, projectKey)
	}
	return o, p, nil
}

// ListProjects returns the projects of the organization with key.
func (s *Service) ListProjects(ctx context.Context, a gatehouse.Actor, key string) ([]*gatehouse.Project, error) {
	var out []*gatehouse.Project
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, err := adminOrganization(tx, r, key)
		if err != nil {
			return err
		}
		out, err = tx.ListProjects(o.ID)
		return err
	})
	return out, err
}

// UpdateProject renames a project and returns it.
func (s *Service) UpdateProject(ctx context.Context, a gatehouse.Actor, key, projectKey string, name *string) (*gatehouse.Project, error) {
	var p *gatehouse.Project
	err := s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, proj, err := adminProject(tx, r, key, projectKey)
		if err != nil {
			return err
		}
		p = proj
		if name == nil || *name == p.Name {
			return nil
		}
		p.Name = *name
		if err := p.Validate(); err != nil {
			return err
		}
		if err := tx.UpdateProject(p); err != nil {
			return err
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditProjectUpdate, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "project:" + p.Key, Details: map[string]any{"name": p.Name}})
	})
	return p, err
}

// DeleteProject deletes a project and drops it from token scopes.
func (s *Service) DeleteProject(ctx context.Context, a gatehouse.Actor, key, projectKey string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		o, p, err := adminProject(tx, r, key, projectKey)
		if err != nil {
			return err
		}
		// The store deletes the tokens scoped to this project alone.
		err = s.recordTokensRevoked(tx, a, o, "its only project was deleted", func(k *gatehouse.Token) bool {
			return len(k.ProjectIDs) == 1 && k.ProjectIDs[0] == p.ID
		})
		if err != nil {
			return err
		}
		if err := tx.DeleteProject(p.ID); err != nil {
			return err
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditProjectRemove, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "project:" + p.Key})
	})
}

// recordTokensRevoked records a token.revoke event, giving reason, for each
// organization token of o that doomed selects: tokens a deletion is about to
// remove with what they belong to.
func (s *Service) recordTokensRevoked(tx store.Tx, a gatehouse.Actor, o *gatehouse.Organization, reason string, doomed func(*gatehouse.Token) bool) error {
	tokens, err := tx.ListTokens(store.TokenFilter{OrganizationID: o.ID})
	if err != nil {
		return err
	}
	for _, k := range tokens {
		if !doomed(k) {
			continue
		}
		if err := s.record(tx, a, audit.Event{Type: gatehouse.AuditTokenRevoke, EnterpriseID: o.EnterpriseID, OrganizationID: o.ID,
			Target: "organization:" + o.Key, Details: map[string]any{"token_id": k.ID, "name": k.Name, "kind": k.Kind, "reason": reason}}); err != nil {
			return err
		}
	}
	return nil
}
