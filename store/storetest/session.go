package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

// newSession returns a session of the user whose cookie is cookie.
func newSession(userID int64, cookie string) *gatehouse.Session {
	return &gatehouse.Session{ID: Hash(cookie), UserID: userID, CSRF: "csrf-" + cookie,
		IdPGroups: []string{"Devs", "Ops"}, CreatedAt: now, LastSeenAt: now}
}

func testSessions(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips and touches", testSessionRoundTrip},
		{"deletes one, a user's, and expired ones", testDeleteSessions},
	})
	runErrCases(t, newStore, sessionsErrors)
}

// sessionsErrors are the writes and reads of Sessions that must fail.
var sessionsErrors = []errCase{
	{"a taken ID is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		check(t, "CreateSession", tx.CreateSession(newSession(f.SSO.ID, "cookie")))
		return tx.CreateSession(newSession(f.Local.ID, "cookie"))
	}, store.ErrConflict},
	{"an unknown user is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateSession(newSession(f.SSO.ID+100, "cookie"))
	}, store.ErrConflict},
	{"an unknown ID is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.Session(Hash("nope"))
		return err
	}, store.ErrNotFound},
	{"touching an unknown session is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.TouchSession(Hash("nope"), now)
	}, store.ErrNotFound},
	{"deleting an unknown session is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.DeleteSession(Hash("nope"))
	}, store.ErrNotFound},
}

func testSessionRoundTrip(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	x := newSession(f.SSO.ID, "cookie")
	MustTx(t, s, func(tx store.Tx) {
		check(t, "CreateSession", tx.CreateSession(x))
		check(t, "TouchSession", tx.TouchSession(x.ID, now.Add(time.Minute)))
	})
	x.LastSeenAt = now.Add(time.Minute)
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.Session(x.ID)
		check(t, "Session", err)
		if diff := cmp.Diff(x, got, diffOpts...); diff != "" {
			t.Errorf("read back session (-want +got):\n%s", diff)
		}
	})
}

func testDeleteSessions(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		for _, c := range []string{"a", "b", "c"} {
			check(t, "CreateSession", tx.CreateSession(newSession(f.SSO.ID, c)))
		}
		check(t, "DeleteSession", tx.DeleteSession(Hash("a")))
		n, err := tx.DeleteUserSessions(f.SSO.ID)
		check(t, "DeleteUserSessions", err)
		if n != 2 {
			t.Errorf("DeleteUserSessions() = %d; want 2", n)
		}
		old := newSession(f.Local.ID, "old")
		old.CreatedAt = now.Add(-25 * time.Hour)
		idle := newSession(f.Local.ID, "idle")
		idle.LastSeenAt = now.Add(-9 * time.Hour)
		for _, x := range []*gatehouse.Session{old, idle, newSession(f.Local.ID, "fresh")} {
			check(t, "CreateSession", tx.CreateSession(x))
		}
		n, err = tx.DeleteExpiredSessions(now.Add(-gatehouse.SessionLifetime), now.Add(-gatehouse.SessionIdleTimeout))
		check(t, "DeleteExpiredSessions", err)
		if n != 2 {
			t.Errorf("DeleteExpiredSessions() = %d; want 2", n)
		}
		_, err = tx.Session(Hash("fresh"))
		check(t, "Session(fresh)", err)
	})
}
