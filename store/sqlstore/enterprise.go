package sqlstore

import (
	"fmt"

	"github.com/gatehouse-sso/gatehouse"
)

const enterpriseColumns = "id, key, name, ip_allow_list, created_at"

func scanEnterprise(s scanner) (*gatehouse.Enterprise, error) {
	var e gatehouse.Enterprise
	err := s.Scan(&e.ID, &e.Key, &e.Name, jsonCol[[]string]{&e.IPAllowList}, timeCol{&e.CreatedAt})
	return &e, err
}

// CreateEnterprise implements [store.Enterprises].
func (t *tx) CreateEnterprise(e *gatehouse.Enterprise) error {
	ips, err := jsonList(e.IPAllowList)
	if err != nil {
		return fmt.Errorf("create enterprise %q: %w", e.Key, err)
	}
	id, err := t.insertID(`INSERT INTO enterprises (key, name, ip_allow_list, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING id`,
		e.Key, e.Name, ips, millis(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("create enterprise %q: %w", e.Key, err)
	}
	e.ID = id
	return nil
}

// Enterprise implements [store.Enterprises].
func (t *tx) Enterprise(key string) (*gatehouse.Enterprise, error) {
	e, err := get(t, scanEnterprise, `SELECT `+enterpriseColumns+` FROM enterprises WHERE key = $1`, key)
	if err != nil {
		return nil, fmt.Errorf("get enterprise %q: %w", key, err)
	}
	return e, nil
}

// EnterpriseByID implements [store.Enterprises].
func (t *tx) EnterpriseByID(id int64) (*gatehouse.Enterprise, error) {
	e, err := get(t, scanEnterprise, `SELECT `+enterpriseColumns+` FROM enterprises WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("get enterprise %d: %w", id, err)
	}
	return e, nil
}

// ListEnterprises implements [store.Enterprises].
func (t *tx) ListEnterprises() ([]*gatehouse.Enterprise, error) {
	es, err := list(t, scanEnterprise, `SELECT `+enterpriseColumns+` FROM enterprises ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("list enterprises: %w", err)
	}
	return es, nil
}

// UpdateEnterprise implements [store.Enterprises].
func (t *tx) UpdateEnterprise(e *gatehouse.Enterprise) error {
	ips, err := jsonList(e.IPAllowList)
	if err == nil {
		err = t.execOne(`UPDATE enterprises SET name = $2, ip_allow_list = $3 WHERE id = $1`, e.ID, e.Name, ips)
	}
	if err != nil {
		return fmt.Errorf("update enterprise %d: %w", e.ID, err)
	}
	return nil
}

// DeleteEnterprise implements [store.Enterprises]. The schema removes the
// SSO connection, pending requests, replay cache and administrators, and
// refuses while organizations or users reference the enterprise.
func (t *tx) DeleteEnterprise(id int64) error {
	if err := t.execOne(`DELETE FROM enterprises WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete enterprise %d: %w", id, err)
	}
	return nil
}

// AddEnterpriseAdmin implements [store.Enterprises].
func (t *tx) AddEnterpriseAdmin(enterpriseID, userID int64) error {
	err := t.insert(`INSERT INTO enterprise_admins (enterprise_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		enterpriseID, userID)
	if err != nil {
		return fmt.Errorf("add admin %d to enterprise %d: %w", userID, enterpriseID, err)
	}
	return nil
}

// RemoveEnterpriseAdmin implements [store.Enterprises].
func (t *tx) RemoveEnterpriseAdmin(enterpriseID, userID int64) error {
	err := t.execOne(`DELETE FROM enterprise_admins WHERE enterprise_id = $1 AND user_id = $2`, enterpriseID, userID)
	if err != nil {
		return fmt.Errorf("remove admin %d from enterprise %d: %w", userID, enterpriseID, err)
	}
	return nil
}

// EnterpriseAdmins implements [store.Enterprises].
func (t *tx) EnterpriseAdmins(enterpriseID int64) ([]*gatehouse.User, error) {
	us, err := list(t, scanUser, `SELECT `+userColumnsOf("u")+` FROM users u
		JOIN enterprise_admins a ON a.user_id = u.id
		WHERE a.enterprise_id = $1 ORDER BY u.login`, enterpriseID)
	if err != nil {
		return nil, fmt.Errorf("list admins of enterprise %d: %w", enterpriseID, err)
	}
	return us, nil
}

// AdminEnterpriseIDs implements [store.Enterprises].
func (t *tx) AdminEnterpriseIDs(userID int64) ([]int64, error) {
	ids, err := list(t, scanInt64, `SELECT enterprise_id FROM enterprise_admins WHERE user_id = $1 ORDER BY enterprise_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("list enterprises administered by user %d: %w", userID, err)
	}
	return ids, nil
}
