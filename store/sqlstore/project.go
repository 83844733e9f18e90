package sqlstore

import (
	"fmt"
	"slices"

	"github.com/gatehouse-sso/gatehouse"
)

const projectColumns = "id, organization_id, key, name, created_at"

func scanProject(s scanner) (*gatehouse.Project, error) {
	var p gatehouse.Project
	err := s.Scan(&p.ID, &p.OrganizationID, &p.Key, &p.Name, timeCol{&p.CreatedAt})
	return &p, err
}

// CreateProject implements [store.Projects].
func (t *tx) CreateProject(p *gatehouse.Project) error {
	id, err := t.insertID(`INSERT INTO projects (organization_id, key, name, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
		p.OrganizationID, p.Key, p.Name, millis(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("create project %q: %w", p.Key, err)
	}
	p.ID = id
	return nil
}

// Project implements [store.Projects].
func (t *tx) Project(organizationID int64, key string) (*gatehouse.Project, error) {
	p, err := get(t, scanProject, `SELECT `+projectColumns+` FROM projects WHERE organization_id = $1 AND key = $2`,
		organizationID, key)
	if err != nil {
		return nil, fmt.Errorf("get project %q of organization %d: %w", key, organizationID, err)
	}
	return p, nil
}

// ListProjects implements [store.Projects].
func (t *tx) ListProjects(organizationID int64) ([]*gatehouse.Project, error) {
	ps, err := list(t, scanProject, `SELECT `+projectColumns+` FROM projects WHERE organization_id = $1 ORDER BY key`,
		organizationID)
	if err != nil {
		return nil, fmt.Errorf("list projects of organization %d: %w", organizationID, err)
	}
	return ps, nil
}

// UpdateProject implements [store.Projects].
func (t *tx) UpdateProject(p *gatehouse.Project) error {
	if err := t.execOne(`UPDATE projects SET name = $2 WHERE id = $1`, p.ID, p.Name); err != nil {
		return fmt.Errorf("update project %d: %w", p.ID, err)
	}
	return nil
}

// DeleteProject implements [store.Projects]. The organization tokens
// scoped to the project lose it; one left with an empty scope would reach
// every project, so it is deleted instead.
func (t *tx) DeleteProject(id int64) error {
	if err := t.unscopeProject(id); err != nil {
		return fmt.Errorf("delete project %d: %w", id, err)
	}
	if err := t.execOne(`DELETE FROM projects WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete project %d: %w", id, err)
	}
	return nil
}

// unscopeProject removes the project from the scope of its organization's
// tokens, deleting those whose scope it was alone.
func (t *tx) unscopeProject(id int64) error {
	tokens, err := list(t, scanToken, `SELECT `+tokenColumns+` FROM tokens
		WHERE organization_id = (SELECT organization_id FROM projects WHERE id = $1) AND project_ids <> '[]'`, id)
	if err != nil {
		return err
	}
	for _, tok := range tokens {
		i := slices.Index(tok.ProjectIDs, id)
		if i < 0 {
			continue
		}
		scope := slices.Delete(tok.ProjectIDs, i, i+1)
		if len(scope) == 0 {
			_, err = t.exec(`DELETE FROM tokens WHERE id = $1`, tok.ID)
		} else {
			var ids string
			if ids, err = jsonList(scope); err == nil {
				_, err = t.exec(`UPDATE tokens SET project_ids = $2 WHERE id = $1`, tok.ID, ids)
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}
