package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// BenchmarkLoginTx runs the write transaction of an SSO login with group
// sync on SQLite: look the user up, lock it, diff its memberships against
// the groups named by the IdP, apply the diff, record the login, the
// session, the consumed request, the assertion and the audit events.
// Consecutive logins alternate between two IdP group lists that differ by
// one matching group, so every login adds one membership and removes one.
func BenchmarkLoginTx(b *testing.B) {
	for _, orgs := range []int{2, 200} {
		for _, names := range []int{10, 150} {
			b.Run(fmt.Sprintf("orgs=%d/groups=%d/idp-groups=%d", orgs, orgs*50, names), func(b *testing.B) {
				benchmarkLogin(b, orgs, names)
			})
		}
	}
}

func benchmarkLogin(b *testing.B, orgs, names int) {
	s, err := sqlstore.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	enterpriseID, userID := seedLogin(b, s, orgs)
	// Even names match one group each, odd ones match nothing, as IdPs
	// send many groups that no organization uses.
	idpGroups := func(offset int) []string {
		out := make([]string, names)
		for i := range out {
			if k := i + offset; k%2 == 0 {
				out[i] = fmt.Sprintf("g-%d-%d", k/2%orgs, k/2/orgs%48)
			} else {
				out[i] = fmt.Sprintf("idp-only-%d", k)
			}
		}
		return out
	}
	lists := [][]string{idpGroups(0), idpGroups(2)}
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		requestID := fmt.Sprintf("request-%d", i)
		storetest.MustTx(b, s, func(tx store.Tx) {
			r := &gatehouse.AuthnRequest{ID: requestID, EnterpriseID: enterpriseID, RelayState: "relay-" + requestID,
				BrowserHash: storetest.Hash("browser"), CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
			if err := tx.CreateAuthnRequest(r); err != nil {
				b.Fatal(err)
			}
		})
		b.StartTimer()
		err := s.Tx(b.Context(), func(tx store.Tx) error {
			return login(tx, enterpriseID, requestID, lists[i%2], now)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	storetest.MustView(b, s, func(tx store.Tx) {
		ms, err := tx.ListMemberships(store.MembershipFilter{UserID: userID})
		if err != nil {
			b.Fatal(err)
		}
		if want := (names + 1) / 2; len(ms) != want {
			b.Errorf("after %d logins the user is in %d groups; want %d", b.N, len(ms), want)
		}
	})
}

// seedLogin creates an enterprise of orgs organizations with 50 groups
// each (Members, Owners and g-<org>-<n>), and one SSO user.
func seedLogin(b *testing.B, s store.Store, orgs int) (enterpriseID, userID int64) {
	storetest.MustTx(b, s, func(tx store.Tx) {
		e := storetest.MustEnterprise(b, tx, "acme")
		for o := range orgs {
			org := storetest.MustOrganization(b, tx, fmt.Sprintf("acme-%d", o), e.ID)
			storetest.MustBuiltinGroup(b, tx, org.ID, gatehouse.BuiltinMembers)
			storetest.MustBuiltinGroup(b, tx, org.ID, gatehouse.BuiltinOwners)
			for g := range 48 {
				storetest.MustGroup(b, tx, org.ID, fmt.Sprintf("g-%d-%d", o, g), gatehouse.PermissionScan)
			}
		}
		enterpriseID = e.ID
		userID = storetest.MustSSOUser(b, tx, e.ID, "carol@acme.example").ID
	})
	return enterpriseID, userID
}

// login is the store's side of an SSO login in JIT mode.
func login(tx store.Tx, enterpriseID int64, requestID string, idpGroups []string, now time.Time) error {
	u, err := tx.SSOUser(enterpriseID, "carol@acme.example")
	if err != nil {
		return err
	}
	if err := tx.LockUser(u.ID); err != nil {
		return err
	}
	have, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID, EnterpriseID: enterpriseID})
	if err != nil {
		return err
	}
	want, err := tx.GroupsNamed(enterpriseID, idpGroups)
	if err != nil {
		return err
	}
	audit := func(typ, target string) error {
		return tx.AppendAuditEvent(&gatehouse.AuditEvent{Time: now, EnterpriseID: enterpriseID, Actor: gatehouse.ActorSAMLSync,
			ActorUserID: u.ID, Type: typ, Target: target, Details: map[string]any{"source": "sync"}})
	}
	wantIDs := make([]int64, len(want))
	for i, g := range want {
		wantIDs[i] = g.ID
	}
	for _, m := range have {
		if !slices.Contains(wantIDs, m.GroupID) {
			if err := tx.RemoveMembership(u.ID, m.GroupID); err != nil {
				return err
			}
			if err := audit(gatehouse.AuditGroupRemoveMember, fmt.Sprintf("group:%d", m.GroupID)); err != nil {
				return err
			}
		}
	}
	for _, g := range want {
		if slices.ContainsFunc(have, func(m *gatehouse.Membership) bool { return m.GroupID == g.ID }) {
			continue
		}
		if err := tx.AddMembership(&gatehouse.Membership{UserID: u.ID, GroupID: g.ID, Source: gatehouse.SourceSync, CreatedAt: now}); err != nil {
			return err
		}
		if err := audit(gatehouse.AuditGroupAddMember, "group:"+g.Name); err != nil {
			return err
		}
	}
	u.Name = "Carol"
	if err := tx.UpdateUser(u); err != nil {
		return err
	}
	if err := tx.SetLastLogin(u.ID, now); err != nil {
		return err
	}
	session := &gatehouse.Session{ID: storetest.Hash(requestID), UserID: u.ID, CSRF: "csrf", IdPGroups: idpGroups, CreatedAt: now, LastSeenAt: now}
	if err := tx.CreateSession(session); err != nil {
		return err
	}
	if err := tx.ConsumeAuthnRequest(requestID); err != nil {
		return err
	}
	if err := tx.RecordAssertion(enterpriseID, "assertion-"+requestID, now.Add(time.Hour)); err != nil {
		return err
	}
	return audit(gatehouse.AuditUserLogin, "user:"+u.Login)
}
