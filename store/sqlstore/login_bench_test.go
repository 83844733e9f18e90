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

// BenchmarkLoginTx runs, on SQLite, the store's side of the write
// transaction of an SSO login of a returning user, statement for
// statement as login.FinishSSO runs it (login's TestFinishSSOWritesOnlyTheLogin
// lists them): read the enterprise and its connection again, consume the
// pending request, record the assertion, look the user up and lock it,
// read the groups the IdP names and the user's memberships, apply the
// difference, open the session and record the login. In "same" the IdP
// sends the same groups every time, as it mostly does; in "changed"
// consecutive logins alternate between two lists that differ by one
// matching group, so that every login adds a membership and removes one.
// login's BenchmarkACS measures the whole login; this isolates the store.
func BenchmarkLoginTx(b *testing.B) {
	for _, orgs := range []int{2, 200} {
		for _, names := range []int{10, 150} {
			for _, changed := range []bool{false, true} {
				name := fmt.Sprintf("orgs=%d/groups=%d/idp-groups=%d/%s", orgs, orgs*50, names, map[bool]string{false: "same", true: "changed"}[changed])
				b.Run(name, func(b *testing.B) { benchmarkLogin(b, orgs, names, changed) })
			}
		}
	}
}

func benchmarkLogin(b *testing.B, orgs, names int, changed bool) {
	s, err := sqlstore.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := seedLogin(b, s, orgs)
	lists := [][]string{idpGroups(names, orgs, 0), idpGroups(names, orgs, 2)}
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	storetest.MustTx(b, s, func(tx store.Tx) {
		for i := range b.N {
			r := &gatehouse.AuthnRequest{ID: fmt.Sprintf("request-%d", i), EnterpriseID: f.enterprise.ID, RelayState: fmt.Sprintf("relay-%d", i),
				BrowserHash: storetest.Hash("browser"), CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
			if err := tx.CreateAuthnRequest(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		groups := lists[0]
		if changed {
			groups = lists[i%2]
		}
		err := s.Tx(b.Context(), func(tx store.Tx) error {
			return login(tx, f, fmt.Sprintf("request-%d", i), groups, now)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	storetest.MustView(b, s, func(tx store.Tx) {
		ms, err := tx.ListMemberships(store.MembershipFilter{UserID: f.user.ID})
		if err != nil {
			b.Fatal(err)
		}
		if want := (names + 1) / 2; len(ms) != want {
			b.Errorf("after %d logins the user is in %d groups; want %d", b.N, len(ms), want)
		}
	})
}

// idpGroups returns n IdP group names from offset: the even ones name a
// group of seedLogin's enterprise of orgs organizations, spread over them,
// the odd ones nothing, as IdPs send many groups no organization uses.
func idpGroups(n, orgs, offset int) []string {
	out := make([]string, n)
	for i := range out {
		if k := i + offset; k%2 == 0 {
			out[i] = fmt.Sprintf("g-%d-%d", k/2%orgs, k/2/orgs%48)
		} else {
			out[i] = fmt.Sprintf("idp-only-%d", k)
		}
	}
	return out
}

// loginFixture is what seedLogin made.
type loginFixture struct {
	enterprise *gatehouse.Enterprise
	user       *gatehouse.User
}

// seedLogin creates an enterprise of orgs organizations with 50 groups
// each (Members, Owners and g-<org>-<n>), its SSO connection, and one SSO
// user who is in the groups idpGroups names.
func seedLogin(b *testing.B, s store.Store, orgs int) loginFixture {
	var f loginFixture
	storetest.MustTx(b, s, func(tx store.Tx) {
		f.enterprise = storetest.MustEnterprise(b, tx, "acme")
		for o := range orgs {
			org := storetest.MustOrganization(b, tx, fmt.Sprintf("acme-%d", o), f.enterprise.ID)
			storetest.MustBuiltinGroup(b, tx, org.ID, gatehouse.BuiltinMembers)
			storetest.MustBuiltinGroup(b, tx, org.ID, gatehouse.BuiltinOwners)
			for g := range 48 {
				storetest.MustGroup(b, tx, org.ID, fmt.Sprintf("g-%d-%d", o, g), gatehouse.PermissionScan)
			}
		}
		conn := &gatehouse.SSOConnection{EnterpriseID: f.enterprise.ID, IdPEntityID: "https://idp.example/metadata", SSOURL: "https://idp.example/sso",
			Certificates: []string{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"}, Attributes: gatehouse.DefaultAttributes,
			CreatedAt: time.Unix(0, 0), UpdatedAt: time.Unix(0, 0)}
		if err := tx.PutSSOConnection(conn); err != nil {
			b.Fatal(err)
		}
		f.user = storetest.MustSSOUser(b, tx, f.enterprise.ID, "carol@acme.example")
	})
	return f
}

// login is the store's side of an SSO login in JIT mode, as
// login.FinishSSO runs it.
func login(tx store.Tx, f loginFixture, requestID string, idpGroups []string, now time.Time) error {
	if _, err := tx.Enterprise(f.enterprise.Key); err != nil {
		return err
	}
	if _, err := tx.SSOConnection(f.enterprise.ID); err != nil {
		return err
	}
	if err := tx.ConsumeAuthnRequest(requestID); err != nil {
		return err
	}
	if err := tx.RecordAssertion(f.enterprise.ID, "assertion-"+requestID, now.Add(time.Hour)); err != nil {
		return err
	}
	u, err := tx.SSOUser(f.enterprise.ID, f.user.ExternalID)
	if err != nil {
		return err
	}
	if err := tx.LockUser(u.ID); err != nil {
		return err
	}
	want, err := tx.GroupsNamed(f.enterprise.ID, idpGroups)
	if err != nil {
		return err
	}
	have, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID, EnterpriseID: f.enterprise.ID})
	if err != nil {
		return err
	}
	if err := applyDiff(tx, u, have, want, now); err != nil {
		return err
	}
	session := &gatehouse.Session{ID: storetest.Hash(requestID), UserID: u.ID, CSRF: "csrf", IdPGroups: idpGroups, CreatedAt: now, LastSeenAt: now}
	if err := tx.CreateSession(session); err != nil {
		return err
	}
	return tx.AppendAuditEvent(&gatehouse.AuditEvent{Time: now, EnterpriseID: f.enterprise.ID, Actor: "user:" + u.Login,
		ActorUserID: u.ID, Type: gatehouse.AuditUserLogin, Target: "user:" + u.Login, Details: map[string]any{"method": "sso"}})
}

// applyDiff adds u to the groups of want it is not in and removes it from
// the groups of have that want does not hold, each with its audit event.
func applyDiff(tx store.Tx, u *gatehouse.User, have []*gatehouse.Membership, want []*gatehouse.Group, now time.Time) error {
	audit := func(typ string, groupID int64) error {
		return tx.AppendAuditEvent(&gatehouse.AuditEvent{Time: now, EnterpriseID: u.EnterpriseID, Actor: gatehouse.ActorSAMLSync,
			Type: typ, Target: "user:" + u.Login, Details: map[string]any{"group_id": groupID}})
	}
	for _, m := range have {
		if !slices.ContainsFunc(want, func(g *gatehouse.Group) bool { return g.ID == m.GroupID }) {
			if err := tx.RemoveMembership(u.ID, m.GroupID); err != nil {
				return err
			}
			if err := audit(gatehouse.AuditGroupRemoveMember, m.GroupID); err != nil {
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
		if err := audit(gatehouse.AuditGroupAddMember, g.ID); err != nil {
			return err
		}
	}
	return nil
}
