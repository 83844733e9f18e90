package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
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
	return []any{&k.ID, &k.Kind, &k.Name, &k.Hash, idCol{&k.UserID}, idCol{&k.OrganizationID}, jsonCol[[]int64]{&k.ProjectIDs},
		timeCol{&k.CreatedAt}, timeCol{&k.LastUsedAt}, timeCol{&k.ExpiresAt}}
}

// tokenAuthColumns and tokenAuthFrom read a token, its user, and the
// organization and enterprise that may be missing, whose columns are then
// NULL. An organization token's creator may be gone too: the user columns
// that cannot be NULL in users are read as zero values then. The enterprise is the user's for a personal token and the
// organization's for an organization token: never the creator's.
const (
	tokenAuthColumns = `t.id, t.kind, t.name, t.hash, t.user_id, t.organization_id, t.project_ids,
		t.created_at, t.last_used_at, t.expires_at,
		COALESCE(u.id, 0), COALESCE(u.login, ''), COALESCE(u.name, ''), COALESCE(u.email, ''), COALESCE(u.kind, ''),
		u.enterprise_id, u.external_id, COALESCE(u.password_hash, ''), u.active IS TRUE,
		u.created_at, u.last_login_at,
		o.id, o.key, o.name, o.enterprise_id, o.created_at,
		e.id, e.key, e.name, COALESCE(e.ip_allow_list, '[]'), e.created_at`
	tokenAuthFrom = `FROM tokens t
	LEFT JOIN users u ON u.id = t.user_id
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
	if a.User.ID == 0 {
		a.User = nil
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
		u.active IS TRUE, e.key, COALESCE(e.ip_allow_list, '[]'), qo.id, qp.id,
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
		k.Kind, k.Name, k.Hash, nullID(k.UserID), nullID(k.OrganizationID), scope,
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

// TokenAuth implements [store.Tokens].
func (t *tx) TokenAuth(hash []byte) (*store.TokenAuth, error) {
	a, err := get(t, scanTokenAuth, `SELECT `+tokenAuthColumns+` `+tokenAuthFrom+` WHERE t.hash = $1`, hash)
	if err != nil {
		return nil, fmt.Errorf("authenticate token: %w", err)
	}
	return a, nil
}

// TokenCheck implements [store.TokenChecker] on the reader pool. On
// SQLite it answers from its checkCache while nothing was committed since
// the same question was last read. The answer must not be modified.
func (db *DB) TokenCheck(ctx context.Context, hash []byte, organization string, perm gatehouse.Permission, project string) (*store.TokenCheck, error) {
	var key checkKey
	var stamp checkStamp
	cached := false
	if db.checks != nil {
		key = checkKey{string(hash), organization, perm, project}
		s, answer, err := db.checks.lookup(ctx, key)
		if answer != nil {
			return answer, nil
		}
		stamp, cached = s, err == nil
	}
	c, err := scanTokenCheck(db.readRow(ctx, tokenCheckQueries[db.d], hash, organization, string(perm), project))
	if err != nil {
		return nil, fmt.Errorf("check token on %q: %w", organization, db.d.wrap(err))
	}
	if cached {
		db.checks.remember(key, stamp, c)
	}
	return c, nil
}

// readRow runs one read statement on the reader pool, outside any
// transaction, prepared once on SQLite.
func (db *DB) readRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.readerStmts != nil {
		s := db.readerStmts.get(query)
		if s == nil {
			db.readerStmts.prepare(ctx, []string{query})
			s = db.readerStmts.get(query)
		}
		if s != nil {
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

// maxCheckEntries bounds a checkCache: past it, the cache starts afresh.
// Each entry is a few hundred bytes.
const maxCheckEntries = 10000

// A checkCache remembers TokenCheck's answers on SQLite for as long as
// nothing is committed to the database, so that an access check asked
// again costs one PRAGMA rather than the query.
//
// PRAGMA data_version, read on one connection pinned for the purpose,
// changes whenever another connection commits, in this process or in
// another one on the same file (the CLI, a second server); the pinned
// connection never writes. An entry is kept with the version read before
// its query ran, so a commit that raced the query makes it miss, never
// stale. Any commit at all (a login, a session's or a token's last use)
// empties the cache in effect: it pays off while checks outnumber writes.
type checkCache struct {
	pool *sql.DB
	mu   sync.Mutex
	// conn, version and entries are guarded by mu. conn is nil until the
	// first check, and again after an error; versions of one connection
	// mean nothing on another, so entries go with it.
	conn    *sql.Conn
	version *sql.Stmt
	entries map[checkKey]checkEntry
	// pins counts the connections pinned, so that a version read on one
	// is never taken for a version of the next. Guarded by mu.
	pins int64
}

// A checkStamp is a data version, and the pin of the connection it was
// read on.
type checkStamp struct {
	pin, version int64
}

// A checkEntry is an answer of TokenCheck at a data version.
type checkEntry struct {
	stamp checkStamp
	check store.TokenCheck
}

func newCheckCache(pool *sql.DB) *checkCache {
	return &checkCache{pool: pool, entries: make(map[checkKey]checkEntry)}
}

// A checkKey is a TokenCheck question, the key of its cached answer. The
// organization and project come from the request and may hold any byte, so
// the parts stay apart rather than joined by a separator they could contain.
type checkKey struct {
	hash, organization string
	perm               gatehouse.Permission
	project            string
}

// lookup returns the database's data version and the answer to key
// remembered at that version, if any. An error means the version is
// unknown: the caller asks the database, and remembers nothing. Unless ctx
// ended, the pinned connection is given back after an error, and the
// entries with it.
func (c *checkCache) lookup(ctx context.Context, key checkKey) (checkStamp, *store.TokenCheck, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		if err := c.pin(ctx); err != nil {
			return checkStamp{}, nil, err
		}
	}
	stamp := checkStamp{pin: c.pins}
	if err := c.version.QueryRowContext(ctx).Scan(&stamp.version); err != nil {
		// A request that ended says nothing of the connection: keep it,
		// and the entries, for the next.
		if ctx.Err() == nil {
			c.unpin()
		}
		return checkStamp{}, nil, fmt.Errorf("read data version: %w", err)
	}
	if e, ok := c.entries[key]; ok && e.stamp == stamp {
		answer := e.check
		return stamp, &answer, nil
	}
	return stamp, nil, nil
}

// remember keeps answer to key, read after the data version of stamp.
func (c *checkCache) remember(key checkKey, stamp checkStamp, answer *store.TokenCheck) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil || stamp.pin != c.pins {
		return
	}
	if len(c.entries) >= maxCheckEntries {
		clear(c.entries)
	}
	c.entries[key] = checkEntry{stamp: stamp, check: *answer}
}

// pin takes the connection whose data version the cache follows. c.mu is held.
func (c *checkCache) pin(ctx context.Context) error {
	conn, err := c.pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("pin a connection for data versions: %w", err)
	}
	version, err := conn.PrepareContext(ctx, "PRAGMA data_version")
	if err != nil {
		conn.Close()
		return fmt.Errorf("prepare data version: %w", err)
	}
	c.conn, c.version = conn, version
	c.pins++
	return nil
}

// unpin gives the connection back and forgets every entry. c.mu is held.
func (c *checkCache) unpin() {
	c.version.Close()
	c.conn.Close()
	c.conn, c.version = nil, nil
	clear(c.entries)
}

// close gives the pinned connection back, before the pool closes.
func (c *checkCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.unpin()
	}
}
