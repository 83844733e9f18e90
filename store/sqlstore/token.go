package sqlstore

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

const tokenColumns = "id, kind, name, hash, user_id, organization_id, project_ids, created_at, last_used_at, expires_at"

func scanToken(s scanner) (*gatehouse.Token, error) {
	var k gatehouse.Token
	err := s.Scan(&k.ID, &k.Kind, &k.Name, &k.Hash, &k.UserID, idCol{&k.OrganizationID}, jsonCol[[]int64]{&k.ProjectIDs},
		timeCol{&k.CreatedAt}, timeCol{&k.LastUsedAt}, timeCol{&k.ExpiresAt})
	return &k, err
}

// CreateToken implements [store.Tokens].
func (t *tx) CreateToken(k *gatehouse.Token) error {
	scope, err := jsonList(k.ProjectIDs)
	if err != nil {
		return fmt.Errorf("create token %q: %w", k.Name, err)
	}
	id, err := t.insertID(`INSERT INTO tokens (kind, name, hash, user_id, organization_id, project_ids,
			created_at, last_used_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
		k.Kind, k.Name, k.Hash, k.UserID, nullID(k.OrganizationID), scope,
		millis(k.CreatedAt), millis(k.LastUsedAt), millis(k.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create token %q: %w", k.Name, err)
	}
	k.ID = id
	return nil
}

// Token implements [store.Tokens].
func (t *tx) Token(id int64) (*gatehouse.Token, error) {
	k, err := get(t, scanToken, `SELECT `+tokenColumns+` FROM tokens WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("get token %d: %w", id, err)
	}
	return k, nil
}

// TokenByHash implements [store.Tokens].
func (t *tx) TokenByHash(hash []byte) (*gatehouse.Token, error) {
	k, err := get(t, scanToken, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash)
	if err != nil {
		return nil, fmt.Errorf("get token by hash: %w", err)
	}
	return k, nil
}

// ListTokens implements [store.Tokens].
func (t *tx) ListTokens(f store.TokenFilter) ([]*gatehouse.Token, error) {
	q := `SELECT ` + tokenColumns + ` FROM tokens WHERE 1 = 1`
	var args []any
	if f.UserID != 0 {
		args = append(args, f.UserID, gatehouse.TokenPersonal)
		q += fmt.Sprintf(" AND user_id = $%d AND kind = $%d", len(args)-1, len(args))
	}
	if f.OrganizationID != 0 {
		args = append(args, f.OrganizationID)
		q += fmt.Sprintf(" AND organization_id = $%d", len(args))
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("list tokens: empty filter")
	}
	ks, err := list(t, scanToken, q+" ORDER BY created_at DESC, id DESC", args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return ks, nil
}

// TouchToken implements [store.Tokens]. It writes only when at is later,
// so that concurrent requests never move the time backwards.
func (t *tx) TouchToken(id int64, at time.Time) error {
	n, err := t.exec(`UPDATE tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)`,
		id, at.UnixMilli())
	if err == nil && n == 0 {
		_, err = get(t, scanInt64, `SELECT id FROM tokens WHERE id = $1`, id)
	}
	if err != nil {
		return fmt.Errorf("touch token %d: %w", id, err)
	}
	return nil
}

// DeleteToken implements [store.Tokens].
func (t *tx) DeleteToken(id int64) error {
	if err := t.execOne(`DELETE FROM tokens WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete token %d: %w", id, err)
	}
	return nil
}

// DeleteUnusedTokens implements [store.Tokens]. It returns the tokens by ID.
func (t *tx) DeleteUnusedTokens(cutoff time.Time) ([]*gatehouse.Token, error) {
	ks, err := list(t, scanToken, `DELETE FROM tokens
		WHERE (kind = $1 OR expires_at IS NULL) AND COALESCE(last_used_at, created_at) < $2
		RETURNING `+tokenColumns, gatehouse.TokenPersonal, cutoff.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("delete tokens unused since %v: %w", cutoff, err)
	}
	slices.SortFunc(ks, func(a, b *gatehouse.Token) int { return cmp.Compare(a.ID, b.ID) })
	return ks, nil
}
