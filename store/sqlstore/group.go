package sqlstore

import (
	"fmt"

	"github.com/gatehouse-sso/gatehouse"
)

const groupColumns = "id, organization_id, name, description, permissions, managed_by, builtin, created_at"

func scanGroup(s scanner) (*gatehouse.Group, error) {
	var g gatehouse.Group
	err := s.Scan(&g.ID, &g.OrganizationID, &g.Name, &g.Description, jsonCol[[]gatehouse.Permission]{&g.Permissions},
		&g.ManagedBy, &g.Builtin, timeCol{&g.CreatedAt})
	return &g, err
}

// CreateGroup implements [store.Groups]. The group takes its
// organization's enterprise, for [tx.GroupsNamed].
func (t *tx) CreateGroup(g *gatehouse.Group) error {
	perms, err := jsonList(g.Permissions)
	if err != nil {
		return fmt.Errorf("create group %q: %w", g.Name, err)
	}
	id, err := t.insertID(`INSERT INTO groups (organization_id, enterprise_id, name, description, permissions,
			managed_by, builtin, created_at)
		VALUES ($1, (SELECT enterprise_id FROM organizations WHERE id = $1), $2, $3, $4, $5, $6, $7)
		ON CONFLICT DO NOTHING RETURNING id`,
		g.OrganizationID, g.Name, g.Description, perms, g.ManagedBy, g.Builtin, millis(g.CreatedAt))
	if err != nil {
		return fmt.Errorf("create group %q: %w", g.Name, err)
	}
	g.ID = id
	return nil
}

// Group implements [store.Groups].
func (t *tx) Group(id int64) (*gatehouse.Group, error) {
	g, err := get(t, scanGroup, `SELECT `+groupColumns+` FROM groups WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("get group %d: %w", id, err)
	}
	return g, nil
}

// GroupByName implements [store.Groups].
func (t *tx) GroupByName(organizationID int64, name string) (*gatehouse.Group, error) {
	g, err := get(t, scanGroup, `SELECT `+groupColumns+` FROM groups WHERE organization_id = $1 AND name = $2`,
		organizationID, name)
	if err != nil {
		return nil, fmt.Errorf("get group %q of organization %d: %w", name, organizationID, err)
	}
	return g, nil
}

// ListGroups implements [store.Groups].
func (t *tx) ListGroups(organizationID int64) ([]*gatehouse.Group, error) {
	gs, err := list(t, scanGroup, `SELECT `+groupColumns+` FROM groups WHERE organization_id = $1
		ORDER BY CASE builtin WHEN 'members' THEN 0 WHEN 'owners' THEN 1 ELSE 2 END, name`, organizationID)
	if err != nil {
		return nil, fmt.Errorf("list groups of organization %d: %w", organizationID, err)
	}
	return gs, nil
}

// GroupsNamed implements [store.Groups]: one probe of the (enterprise_id,
// name) index per name. The names travel as one JSON array, so that the
// query text, and its prepared statement, is the same for any number.
func (t *tx) GroupsNamed(enterpriseID int64, names []string) ([]*gatehouse.Group, error) {
	if len(names) == 0 {
		return nil, nil
	}
	array, err := jsonList(names)
	if err != nil {
		return nil, fmt.Errorf("find groups of enterprise %d by name: %w", enterpriseID, err)
	}
	gs, err := list(t, scanGroup, `SELECT `+groupColumns+` FROM groups
		WHERE enterprise_id = $1 AND name IN (`+t.d.jsonStrings("$2")+`)
		ORDER BY organization_id, name`, enterpriseID, array)
	if err != nil {
		return nil, fmt.Errorf("find groups of enterprise %d by name: %w", enterpriseID, err)
	}
	return gs, nil
}

// GroupsByID implements [store.Groups].
func (t *tx) GroupsByID(ids []int64) ([]*gatehouse.Group, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	gs, err := list(t, scanGroup, `SELECT `+groupColumns+` FROM groups WHERE id IN (`+placeholders(1, len(ids))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("get groups by id: %w", err)
	}
	return gs, nil
}

// UpdateGroup implements [store.Groups].
func (t *tx) UpdateGroup(g *gatehouse.Group) error {
	perms, err := jsonList(g.Permissions)
	if err == nil {
		err = t.execOne(`UPDATE groups SET name = $2, description = $3, permissions = $4, managed_by = $5 WHERE id = $1`,
			g.ID, g.Name, g.Description, perms, g.ManagedBy)
	}
	if err != nil {
		return fmt.Errorf("update group %d: %w", g.ID, err)
	}
	return nil
}

// DeleteGroup implements [store.Groups]. The schema removes its memberships.
func (t *tx) DeleteGroup(id int64) error {
	if err := t.execOne(`DELETE FROM groups WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete group %d: %w", id, err)
	}
	return nil
}
