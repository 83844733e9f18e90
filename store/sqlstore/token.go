package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

const tokenColumns = "id, kind, name, hash, user_id, organization_id, project_ids, created_at, last_used_at, expires_at"

func scanToken(s scanner) (*gatehouse.Token, error) {
	var k gatehouse.Token
	err := s.Scan(tokenFields(&k)...)
	return &k, err
}

// tokenFields returns the scan destinations of tokenColumns.
func tokenFields(k *gatehouse.Token) []any {
	return []any{&k.ID, &k.Kind, &k.Name, &k.Hash, &k.UserID, idCol{&k.OrganizationID}, jsonCol[[]int64]{&k.ProjectIDs},
		timeCol{&k.CreatedAt}, timeCol{&k.LastUsedAt}, timeCol{&k.ExpiresAt}}
}

// tokenAuthColumns and tokenAuthFrom read a token, its user, and the
// organization and enterprise that may be missing, whose columns are then
// NULL. The enterprise is the user's for a personal token and the
// organization's for an organization token: never the creator's.
const (
	tokenAuthColumns = `t.id, t.kind, t.name, t.hash, t.user_id, t.organization_id, t.project_ids,
		t.created_at, t.last_used_at, t.expires_at,
		u.id, u.login, u.name, u.email, u.kind, u.enterprise_id, u.external_id, u.password_hash, u.active,
		u.created_at, u.last_login_at,
		o.id, o.key, o.name, o.enterprise_id, o.created_at,
		e.id, e.key, e.name, COALESCE(e.ip_allow_list, '[]'), e.created_at`
	tokenAuthFrom = `FROM tokens t
	JOIN users u ON u.id = t.user_id
	LEFT JOIN organizations o ON o.id = t.organization_id
	LEFT JOIN enterprises e ON e.id = CASE WHEN t.organization_id IS NULL THEN u.enterprise_id ELSE o.enterprise_id END`
)

func scanTokenAuth(s scanner) (*store.TokenAuth, error) {
	a := &store.TokenAuth{Token: &gatehouse.Token{}, User: &gatehouse.User{}, Organization: &gatehouse.Organization{},
		Enterprise: &gatehouse.Enterprise{}}
	o, e := a.Organization, a.Enterprise
	fields := append(tokenFields(a.Token), userFields(a.User)...)
	fields = append(fields, idCol{&o.ID}, stringCol{&o.Key}, stringCol{&o.Name}, idCol{&o.EnterpriseID}, timeCol{&o.CreatedAt},
		idCol{&e.ID}, stringCol{&e.Key}, stringCol{&e.Name}, jsonCol[[]string]{&e.IPAllowList}, timeCol{&e.CreatedAt})
	if err := s.Scan(fields...); err != nil {
		return nil, err
	}
	if o.ID == 0 {
		a.Organization = nil
	}
	if e.ID == 0 {
		a.Enterprise = nil
	}
	return a, nil
}

func scanTokenCheck(s scanner) (*store.TokenCheck, error) {
	c := &store.TokenCheck{Token: &gatehouse.Token{}}
	fields := append(tokenFields(c.Token), &c.UserActive, stringCol{&c.EnterpriseKey}, jsonCol[[]string]{&c.IPAllowList},
		idCol{&c.OrganizationID}, idCol{&c.ProjectID}, &c.Holds)
	if err := s.Scan(fields...); err != nil {
		return nil, err
	}
	return c, nil
}

// tokenCheckQueries are the TokenCheck query of each dialect, built once.
var tokenCheckQueries = map[*dialect]string{sqliteDialect: tokenCheckQuery(sqliteDialect), postgresDialect: tokenCheckQuery(postgresDialect)}

// tokenCheckQuery reads, from TokenAuth's tables, the columns of a
// TokenCheck: the token, its user's active flag, the allow list that
// applies, the organization ($2) and project ($4) asked about, and whether
// the user holds the permission ($3) there, by the rule of UserPermissions:
// through a group, or through Members. Each column a request reads costs,
// so it reads no others.
func tokenCheckQuery(d *dialect) string {
	has := `$3 IN (` + d.jsonStrings("g.permissions") + `)`
	return `SELECT t.id, t.kind, t.name, t.hash, t.user_id, t.organization_id, t.project_ids,
		t.created_at, t.last_used_at, t.expires_at,
		u.active, e.key, COALESCE(e.ip_allow_list, '[]'), qo.id, qp.id,
		EXISTS (SELECT 1 FROM memberships m JOIN groups g ON g.id = m.group_id
			WHERE m.user_id = u.id AND m.organization_id = qo.id AND ` + has + `)
		OR EXISTS (SELECT 1 FROM groups g WHERE g.organization_id = qo.id AND g.builtin = 'members' AND ` + has + `
			AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.organization_id = qo.id))
	` + tokenAuthFrom + `
	LEFT JOIN organizations qo ON qo.key = $2
	LEFT JOIN projects qp ON qp.organization_id = qo.id AND qp.key = $4
	WHERE t.hash = $1`
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

// TokenAuth implements [store.Tokens].
func (t *tx) TokenAuth(hash []byte) (*store.TokenAuth, error) {
	a, err := get(t, scanTokenAuth, `SELECT `+tokenAuthColumns+` `+tokenAuthFrom+` WHERE t.hash = $1`, hash)
	if err != nil {
		return nil, fmt.Errorf("authenticate token: %w", err)
	}
	return a, nil
}

// TokenCheck implements [store.TokenChecker] on the reader pool.
func (db *DB) TokenCheck(ctx context.Context, hash []byte, organization string, perm gatehouse.Permission, project string) (*store.TokenCheck, error) {
	c, err := scanTokenCheck(db.readRow(ctx, tokenCheckQueries[db.d], hash, organization, string(perm), project))
	if err != nil {
		return nil, fmt.Errorf("check token on %q: %w", organization, db.d.wrap(err))
	}
	return c, nil
}

// readRow runs one read statement on the reader pool, outside any
// transaction, prepared once on SQLite.
func (db *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.readerStmts != nil {
		if db.readerStmts.get(query) == nil {
			db.readerStmts.prepare(ctx, []string{query})
		}
		if s := db.readerStmts.get(query); s != nil {
			return s.QueryRowContext(ctx, args...)
		}
	}
	return db.reader.QueryRowContext(ctx, query, args...)
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
