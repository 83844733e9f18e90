package sqlstore

import (
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

const sessionColumns = "id, user_id, csrf, idp_groups, created_at, last_seen_at"

func scanSession(s scanner) (*gatehouse.Session, error) {
	var x gatehouse.Session
	err := s.Scan(&x.ID, &x.UserID, &x.CSRF, jsonCol[[]string]{&x.IdPGroups}, timeCol{&x.CreatedAt}, timeCol{&x.LastSeenAt})
	return &x, err
}

// CreateSession implements [store.Sessions].
func (t *tx) CreateSession(s *gatehouse.Session) error {
	groups, err := jsonList(s.IdPGroups)
	if err == nil {
		err = t.insert(`INSERT INTO sessions (id, user_id, csrf, idp_groups, created_at, last_seen_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
			s.ID, s.UserID, s.CSRF, groups, millis(s.CreatedAt), millis(s.LastSeenAt))
	}
	if err != nil {
		return fmt.Errorf("create session for user %d: %w", s.UserID, err)
	}
	return nil
}

// Session implements [store.Sessions].
func (t *tx) Session(id []byte) (*gatehouse.Session, error) {
	s, err := get(t, scanSession, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("get session: %w", err)
	}
	return s, nil
}

// TouchSession implements [store.Sessions].
func (t *tx) TouchSession(id []byte, at time.Time) error {
	if err := t.execOne(`UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, id, at.UnixMilli()); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession implements [store.Sessions].
func (t *tx) DeleteSession(id []byte) error {
	if err := t.execOne(`DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions implements [store.Sessions].
func (t *tx) DeleteUserSessions(userID int64) (int, error) {
	n, err := t.exec(`DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return int(n), nil
}

// DeleteExpiredSessions implements [store.Sessions].
func (t *tx) DeleteExpiredSessions(createdBefore, seenBefore time.Time) (int, error) {
	n, err := t.exec(`DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2`,
		createdBefore.UnixMilli(), seenBefore.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(n), nil
}
