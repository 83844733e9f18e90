package login_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

// TestFinishSSOWritesOnlyTheLogin checks the rule of issue SSO item 8: a
// login takes at most one database transaction, and writes nothing but
// the session, the consumed request, the replay record, the audit events
// and the membership diff (and, on a first login, the account).
func TestFinishSSOWritesOnlyTheLogin(t *testing.T) {
	tests := []struct {
		name string
		// before are the groups of an earlier login, if not nil.
		before []string
		groups []string
		want   []string
	}{
		{name: "a returning user whose groups did not change", before: []string{"Devs"}, groups: []string{"Devs"},
			want: []string{"audit_events +1 -0", "authn_requests +0 -1", "saml_assertions +1 -0", "sessions +1 -0"}},
		{name: "a returning user whose groups changed", before: []string{"Devs"}, groups: []string{"Devs", "Ops"},
			want: []string{"audit_events +2 -0", "authn_requests +0 -1", "memberships +1 -0", "saml_assertions +1 -0", "sessions +1 -0"}},
		{name: "a first login", groups: []string{"Ops"},
			want: []string{"audit_events +4 -0", "authn_requests +0 -1", "memberships +1 -0", "saml_assertions +1 -0", "sessions +1 -0", "users +1 -0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			if tt.before != nil {
				e.MustLogin(t, alice.withGroups(tt.before...))
				// Within the hour that last_login_at is precise to.
				e.Now = e.Now.Add(59 * time.Minute)
			}
			s := e.MustStart(t, "acme", "")
			in := s.acs(e.MustResponse(t, s, alice.withGroups(tt.groups...)))
			cs := &countingStore{Store: e.Store}
			e.Login.Store = cs
			before := e.MustDump(t)
			if _, err := e.Login.FinishSSO(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			if cs.txs != 1 || cs.views != 0 {
				t.Errorf("a login ran %d write and %d read-only transactions; want 1 and 0:\n%s", cs.txs, cs.views, strings.Join(cs.calls, "\n"))
			}
			c := changes(before, e.MustDump(t))
			if diff := cmp.Diff(tt.want, changedTables(c)); diff != "" {
				t.Errorf("rows a login changed (-want +got):\n%s\n%s", diff, c)
			}
			t.Logf("store calls, one SQL statement each:\n%s", strings.Join(cs.calls, "\n"))
		})
	}
}

// A countingStore counts the transactions run through it and lists the
// store calls made in them that a login makes. It is not safe for
// concurrent use.
type countingStore struct {
	store.Store
	txs, views int
	calls      []string
}

// Tx implements [store.Store].
func (s *countingStore) Tx(ctx context.Context, fn func(store.Tx) error) error {
	s.txs++
	return s.Store.Tx(ctx, func(tx store.Tx) error {
		s.calls = append(s.calls, "-- write transaction")
		return fn(countingTx{Tx: tx, s: s})
	})
}

// View implements [store.Store].
func (s *countingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	s.views++
	return s.Store.View(ctx, func(tx store.Tx) error {
		s.calls = append(s.calls, "-- read-only transaction")
		return fn(countingTx{Tx: tx, s: s})
	})
}

type countingTx struct {
	store.Tx
	s *countingStore
}

func (tx countingTx) call(name string) { tx.s.calls = append(tx.s.calls, name) }

func (tx countingTx) Enterprise(key string) (*gatehouse.Enterprise, error) {
	tx.call("Enterprise")
	return tx.Tx.Enterprise(key)
}

func (tx countingTx) SSOConnection(id int64) (*gatehouse.SSOConnection, error) {
	tx.call("SSOConnection")
	return tx.Tx.SSOConnection(id)
}

func (tx countingTx) AuthnRequestByRelayState(relayState string) (*gatehouse.AuthnRequest, error) {
	tx.call("AuthnRequestByRelayState")
	return tx.Tx.AuthnRequestByRelayState(relayState)
}

func (tx countingTx) ConsumeAuthnRequest(id string) error {
	tx.call("ConsumeAuthnRequest")
	return tx.Tx.ConsumeAuthnRequest(id)
}

func (tx countingTx) RecordAssertion(enterpriseID int64, id string, expiresAt time.Time) error {
	tx.call("RecordAssertion")
	return tx.Tx.RecordAssertion(enterpriseID, id, expiresAt)
}

func (tx countingTx) SSOUser(enterpriseID int64, externalID string) (*gatehouse.User, error) {
	tx.call("SSOUser")
	return tx.Tx.SSOUser(enterpriseID, externalID)
}

func (tx countingTx) LockUser(id int64) error {
	tx.call("LockUser")
	return tx.Tx.LockUser(id)
}

func (tx countingTx) CreateUser(u *gatehouse.User) error {
	tx.call("CreateUser")
	return tx.Tx.CreateUser(u)
}

func (tx countingTx) UpdateUser(u *gatehouse.User) error {
	tx.call("UpdateUser")
	return tx.Tx.UpdateUser(u)
}

func (tx countingTx) SetLastLogin(id int64, at time.Time) error {
	tx.call("SetLastLogin")
	return tx.Tx.SetLastLogin(id, at)
}

func (tx countingTx) ListMemberships(f store.MembershipFilter) ([]*gatehouse.Membership, error) {
	tx.call("ListMemberships")
	return tx.Tx.ListMemberships(f)
}

func (tx countingTx) GroupsByID(ids []int64) ([]*gatehouse.Group, error) {
	tx.call("GroupsByID")
	return tx.Tx.GroupsByID(ids)
}

func (tx countingTx) GroupsNamed(enterpriseID int64, names []string) ([]*gatehouse.Group, error) {
	tx.call("GroupsNamed")
	return tx.Tx.GroupsNamed(enterpriseID, names)
}

func (tx countingTx) AddMembership(m *gatehouse.Membership) error {
	tx.call("AddMembership")
	return tx.Tx.AddMembership(m)
}

func (tx countingTx) RemoveMembership(userID, groupID int64) error {
	tx.call("RemoveMembership")
	return tx.Tx.RemoveMembership(userID, groupID)
}

func (tx countingTx) CreateSession(sess *gatehouse.Session) error {
	tx.call("CreateSession")
	return tx.Tx.CreateSession(sess)
}

func (tx countingTx) AppendAuditEvent(ev *gatehouse.AuditEvent) error {
	tx.call("AppendAuditEvent")
	return tx.Tx.AppendAuditEvent(ev)
}
