package login_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/store"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// concurrentLogins is how many logins of one user run at once.
const concurrentLogins = 20

// groupSets are the IdP groups of the concurrent logins, in turn, with
// the groups each one syncs the user to.
var groupSets = []struct {
	groups, want []string
}{
	{[]string{"Devs"}, []string{"acme-data/Devs", "acme-web/Devs"}},
	{[]string{"Ops", "Analysts"}, []string{"acme-data/Analysts", "acme-web/Ops"}},
	{[]string{"devs", "Members"}, []string{"acme-data/devs"}},
	{[]string{}, []string{}},
}

// SPEC §3.7: "Concurrent logins of one user must end with one account and
// a consistent membership set."
func TestConcurrentLogins(t *testing.T) {
	engines := []struct {
		name string
		open func(t *testing.T) *env
	}{
		{"SQLite", func(t *testing.T) *env { return MustEnv(t) }},
		{"PostgreSQL", func(t *testing.T) *env { return MustEnvOn(t, pgtest.URL(t)) }},
	}
	cases := []struct {
		name string
		// existing signs the user in, and adds a group by hand, first.
		existing bool
	}{
		{"first logins of one user create one account", false},
		{"logins of an existing user leave the last login's groups", true},
	}
	for _, engine := range engines {
		for _, tt := range cases {
			t.Run(engine.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				e := engine.open(t)
				if tt.existing {
					e.MustLogin(t, alice.withGroups("Devs", "Analysts"))
					e.MustAddGroupMember(t, "acme-web/Admins", alice)
				}
				errs := e.loginAtOnce(t, concurrentLogins)
				for i, err := range errs {
					if err != nil {
						t.Errorf("login %d: %v", i, err)
					}
				}
				e.checkOneConsistentAccount(t)
			})
		}
	}
}

// loginAtOnce starts n logins of alice, login i from address 10.0.0.i+1
// with groupSets[i%len(groupSets)], and finishes them all at once, each in
// its own goroutine.
func (e *env) loginAtOnce(tb testing.TB, n int) []error {
	tb.Helper()
	ins := make([]login.ACS, n)
	for i := range ins {
		s := e.MustStart(tb, "acme", "")
		ins[i] = s.acs(e.MustResponse(tb, s, alice.withGroups(groupSets[i%len(groupSets)].groups...)))
		ins[i].Client = netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)})
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range ins {
		wg.Go(func() {
			<-start
			_, errs[i] = e.Login.FinishSSO(context.Background(), ins[i])
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// checkOneConsistentAccount checks that acme holds one account for alice,
// created once, whose groups are those of the login that committed last
// (the one with the newest login event), and that the audit log's
// membership changes, replayed in order, lead to exactly those groups.
func (e *env) checkOneConsistentAccount(tb testing.TB) {
	tb.Helper()
	var users []*gatehouse.User
	err := e.Store.View(context.Background(), func(tx store.Tx) error {
		ent, err := tx.Enterprise("acme")
		if err == nil {
			users, err = tx.ListUsers(store.UserFilter{EnterpriseID: ent.ID})
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(users) != 1 {
		tb.Fatalf("acme has %d users after concurrent logins of one identity; want 1", len(users))
	}
	if creates, _ := e.events(tb, 0, gatehouse.AuditUserCreate); len(creates) != 1 {
		tb.Errorf("%d user.create events; want 1", len(creates))
	}
	got := e.groupsOf(tb, users[0])
	if len(slices.Compact(slices.Clone(got))) != len(got) {
		tb.Errorf("duplicate memberships: %q", got)
	}
	_, logins := e.events(tb, 0, gatehouse.AuditUserLogin)
	last := logins[len(logins)-1]
	var i int
	if _, err := fmt.Sscanf(last.Details["client"].(string), "10.0.0.%d", &i); err != nil {
		tb.Fatalf("last login event %v: %v", last.Details, err)
	}
	want := groupSets[(i-1)%len(groupSets)].want
	if diff := cmp.Diff(want, got); diff != "" {
		tb.Errorf("groups after concurrent logins, the last from %s (-want +got):\n%s", last.Details["client"], diff)
	}
	if diff := cmp.Diff(got, e.replayMembershipEvents(tb)); diff != "" {
		tb.Errorf("groups the audit log's changes lead to, replayed in order (-actual +replayed):\n%s", diff)
	}
}

// replayMembershipEvents applies every group.add_member and
// group.remove_member event, oldest first, to an empty set of "org/group",
// failing on an add of a group already held or a removal of one not held:
// the trace of a sync planned on a stale read.
func (e *env) replayMembershipEvents(tb testing.TB) []string {
	tb.Helper()
	evs, _ := e.events(tb, 0, gatehouse.AuditGroupAddMember, gatehouse.AuditGroupRemoveMember)
	held := map[string]bool{}
	for _, ev := range evs {
		g := ev.Org + "/" + ev.Group
		switch {
		case ev.Type == gatehouse.AuditGroupAddMember && held[g]:
			tb.Errorf("event adds %s, which the user was in already", g)
		case ev.Type == gatehouse.AuditGroupRemoveMember && !held[g]:
			tb.Errorf("event removes %s, which the user was not in", g)
		}
		held[g] = ev.Type == gatehouse.AuditGroupAddMember
	}
	out := []string{}
	for g, in := range held {
		if in {
			out = append(out, g)
		}
	}
	slices.Sort(out)
	return out
}

// TestConcurrentFirstLoginsRetryOnPostgreSQL makes every concurrent first
// login miss the user before any creates it, so that all but one lose the
// race to create it (a unique key conflict on PostgreSQL, where write
// transactions run side by side) and run their transaction again.
func TestConcurrentFirstLoginsRetryOnPostgreSQL(t *testing.T) {
	t.Parallel()
	e := MustEnvOn(t, pgtest.URL(t))
	rs := &raceStore{Store: e.Store, waiting: concurrentLogins, all: make(chan struct{})}
	e.Login.Store = rs
	errs := e.loginAtOnce(t, concurrentLogins)
	for i, err := range errs {
		if err != nil {
			t.Errorf("login %d: %v", i, err)
		}
	}
	if got := rs.retries.Load(); got != concurrentLogins-1 {
		t.Errorf("%d login transactions asked to run again; want %d, every login but the one that created the user", got, concurrentLogins-1)
	}
	e.checkOneConsistentAccount(t)
}

// A raceStore holds the first waiting transactions that look up an SSO
// user until all of them have, and counts the login transactions that
// return login.ErrRetry.
type raceStore struct {
	store.Store
	waiting int64
	arrived atomic.Int64
	all     chan struct{} // closed when waiting transactions arrived
	retries atomic.Int64
}

// Tx implements [store.Store].
func (s *raceStore) Tx(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Tx(ctx, func(tx store.Tx) error {
		err := fn(raceTx{Tx: tx, s: s})
		if errors.Is(err, login.ErrRetry) {
			s.retries.Add(1)
		}
		return err
	})
}

type raceTx struct {
	store.Tx
	s *raceStore
}

// SSOUser implements [store.Users].
func (tx raceTx) SSOUser(enterpriseID int64, externalID string) (*gatehouse.User, error) {
	u, err := tx.Tx.SSOUser(enterpriseID, externalID)
	if tx.s.arrived.Add(1) == tx.s.waiting {
		close(tx.s.all)
	}
	<-tx.s.all
	return u, err
}
