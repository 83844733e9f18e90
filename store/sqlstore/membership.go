package sqlstore

import (
	"fmt"
	"slices"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

const membershipColumns = "m.user_id, m.group_id, m.organization_id, m.source, m.created_at"

func scanMembership(s scanner) (*gatehouse.Membership, error) {
	var m gatehouse.Membership
	err := s.Scan(&m.UserID, &m.GroupID, &m.OrganizationID, &m.Source, timeCol{&m.CreatedAt})
	return &m, err
}

// AddMembership implements [store.Memberships]. It takes the organization
// from the group, and sets m.OrganizationID to it.
func (t *tx) AddMembership(m *gatehouse.Membership) error {
	org, err := t.insertID(`INSERT INTO memberships (user_id, group_id, organization_id, source, created_at)
		SELECT $1, id, organization_id, $3, $4 FROM groups WHERE id = $2
		ON CONFLICT DO NOTHING RETURNING organization_id`,
		m.UserID, m.GroupID, m.Source, millis(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("add user %d to group %d: %w", m.UserID, m.GroupID, err)
	}
	m.OrganizationID = org
	return nil
}

// RemoveMembership implements [store.Memberships].
func (t *tx) RemoveMembership(userID, groupID int64) error {
	if err := t.execOne(`DELETE FROM memberships WHERE user_id = $1 AND group_id = $2`, userID, groupID); err != nil {
		return fmt.Errorf("remove user %d from group %d: %w", userID, groupID, err)
	}
	return nil
}

// ListMemberships implements [store.Memberships].
func (t *tx) ListMemberships(f store.MembershipFilter) ([]*gatehouse.Membership, error) {
	q := `SELECT ` + membershipColumns + ` FROM memberships m WHERE 1 = 1`
	var args []any
	and := func(cond string, v int64) {
		if v != 0 {
			args = append(args, v)
			q += fmt.Sprintf(" AND "+cond, len(args))
		}
	}
	and("m.user_id = $%d", f.UserID)
	and("m.group_id = $%d", f.GroupID)
	and("m.organization_id = $%d", f.OrganizationID)
	// With a user, the user's few memberships drive the query and each is
	// checked against its organization; without, the enterprise's
	// organizations do. Planners without statistics need the hint.
	if f.UserID != 0 {
		and("EXISTS (SELECT 1 FROM organizations o WHERE o.id = m.organization_id AND o.enterprise_id = $%d)", f.EnterpriseID)
	} else {
		and("m.organization_id IN (SELECT id FROM organizations WHERE enterprise_id = $%d)", f.EnterpriseID)
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("list memberships: empty filter")
	}
	ms, err := list(t, scanMembership, q+" ORDER BY m.organization_id, m.group_id, m.user_id", args...)
	if err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	return ms, nil
}

// UserPermissions implements [store.Memberships] with one query: the
// permissions of the user's groups, and those of Members in each
// organization where the user has a membership.
func (t *tx) UserPermissions(userID, organizationID int64) ([]store.PermissionGrant, error) {
	rows, err := list(t, scanOrgPermissions, `
		SELECT g.organization_id, g.permissions FROM memberships m JOIN groups g ON g.id = m.group_id
		WHERE m.user_id = $1 AND (CAST($2 AS BIGINT) = 0 OR m.organization_id = $2) AND g.permissions <> '[]'
		UNION ALL
		SELECT g.organization_id, g.permissions FROM groups g
		WHERE g.builtin = 'members' AND g.permissions <> '[]' AND g.organization_id IN (
			SELECT m.organization_id FROM memberships m WHERE m.user_id = $1 AND (CAST($2 AS BIGINT) = 0 OR m.organization_id = $2))`,
		userID, organizationID)
	if err != nil {
		return nil, fmt.Errorf("get permissions of user %d: %w", userID, err)
	}
	return mergeGrants(rows), nil
}

// orgPermissions is one group's permissions in its organization.
type orgPermissions struct {
	organizationID int64
	permissions    []gatehouse.Permission
}

func scanOrgPermissions(s scanner) (orgPermissions, error) {
	var p orgPermissions
	err := s.Scan(&p.organizationID, jsonCol[[]gatehouse.Permission]{&p.permissions})
	return p, err
}

// mergeGrants returns the union of rows' permissions, by organization then
// in the order of [gatehouse.Permissions].
func mergeGrants(rows []orgPermissions) []store.PermissionGrant {
	held := make(map[int64][]gatehouse.Permission)
	for _, r := range rows {
		held[r.organizationID] = append(held[r.organizationID], r.permissions...)
	}
	orgs := make([]int64, 0, len(held))
	for org := range held {
		orgs = append(orgs, org)
	}
	slices.Sort(orgs)
	var grants []store.PermissionGrant
	for _, org := range orgs {
		for _, p := range gatehouse.Permissions {
			if slices.Contains(held[org], p) {
				grants = append(grants, store.PermissionGrant{OrganizationID: org, Permission: p})
			}
		}
	}
	return grants
}

// OrganizationAdmins implements [store.Memberships]. Permissions are a JSON
// array that the store writes itself, so `"admin"` in its text means the
// admin permission and nothing else.
func (t *tx) OrganizationAdmins(organizationID int64) ([]int64, error) {
	ids, err := list(t, scanInt64, `
		SELECT DISTINCT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.organization_id = $1 AND u.active AND (
			m.group_id IN (SELECT id FROM groups WHERE organization_id = $1 AND permissions LIKE '%"admin"%')
			OR EXISTS (SELECT 1 FROM groups WHERE organization_id = $1 AND builtin = 'members'
				AND permissions LIKE '%"admin"%'))
		ORDER BY m.user_id`, organizationID)
	if err != nil {
		return nil, fmt.Errorf("list admins of organization %d: %w", organizationID, err)
	}
	return ids, nil
}
