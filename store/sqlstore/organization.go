package sqlstore

import (
	"fmt"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

const organizationColumns = "id, key, name, enterprise_id, created_at"

func scanOrganization(s scanner) (*gatehouse.Organization, error) {
	var o gatehouse.Organization
	err := s.Scan(&o.ID, &o.Key, &o.Name, idCol{&o.EnterpriseID}, timeCol{&o.CreatedAt})
	return &o, err
}

// CreateOrganization implements [store.Organizations].
func (t *tx) CreateOrganization(o *gatehouse.Organization) error {
	id, err := t.insertID(`INSERT INTO organizations (key, name, enterprise_id, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
		o.Key, o.Name, nullID(o.EnterpriseID), millis(o.CreatedAt))
	if err != nil {
		return fmt.Errorf("create organization %q: %w", o.Key, err)
	}
	o.ID = id
	return nil
}

// Organization implements [store.Organizations].
func (t *tx) Organization(key string) (*gatehouse.Organization, error) {
	o, err := get(t, scanOrganization, `SELECT `+organizationColumns+` FROM organizations WHERE key = $1`, key)
	if err != nil {
		return nil, fmt.Errorf("get organization %q: %w", key, err)
	}
	return o, nil
}

// OrganizationByID implements [store.Organizations].
func (t *tx) OrganizationByID(id int64) (*gatehouse.Organization, error) {
	o, err := get(t, scanOrganization, `SELECT `+organizationColumns+` FROM organizations WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("get organization %d: %w", id, err)
	}
	return o, nil
}

// ListOrganizations implements [store.Organizations].
func (t *tx) ListOrganizations(f store.OrganizationFilter) ([]*gatehouse.Organization, error) {
	q := `SELECT ` + organizationColumns + ` FROM organizations WHERE 1 = 1`
	var args []any
	if f.EnterpriseID != 0 {
		args = append(args, f.EnterpriseID)
		q += fmt.Sprintf(" AND enterprise_id = $%d", len(args))
	}
	if f.MemberID != 0 {
		args = append(args, f.MemberID)
		q += fmt.Sprintf(" AND id IN (SELECT organization_id FROM memberships WHERE user_id = $%d)", len(args))
	}
	os, err := list(t, scanOrganization, q+" ORDER BY key", args...)
	if err != nil {
		return nil, fmt.Errorf("list organizations: %w", err)
	}
	return os, nil
}

// CountOrganizations implements [store.Organizations].
func (t *tx) CountOrganizations(enterpriseID int64) (int, error) {
	n, err := get(t, scanInt64, `SELECT count(*) FROM organizations WHERE enterprise_id = $1`, enterpriseID)
	if err != nil {
		return 0, fmt.Errorf("count organizations of enterprise %d: %w", enterpriseID, err)
	}
	return int(n), nil
}

// UpdateOrganization implements [store.Organizations]. It moves the
// organization's groups along, as groups carry their enterprise for
// [tx.GroupsNamed].
func (t *tx) UpdateOrganization(o *gatehouse.Organization) error {
	err := t.execOne(`UPDATE organizations SET name = $2, enterprise_id = $3 WHERE id = $1`,
		o.ID, o.Name, nullID(o.EnterpriseID))
	if err == nil {
		_, err = t.exec(`UPDATE groups SET enterprise_id = $2
			WHERE organization_id = $1 AND enterprise_id IS DISTINCT FROM $2`, o.ID, nullID(o.EnterpriseID))
	}
	if err != nil {
		return fmt.Errorf("update organization %d: %w", o.ID, err)
	}
	return nil
}

// DeleteOrganization implements [store.Organizations]. The schema removes
// the organization's groups, memberships, projects and tokens.
func (t *tx) DeleteOrganization(id int64) error {
	if err := t.execOne(`DELETE FROM organizations WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete organization %d: %w", id, err)
	}
	return nil
}
