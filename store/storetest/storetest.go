package storetest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// NewStore returns a fresh, empty, migrated store that lives as long as t.
type NewStore func(t *testing.T) store.Store

// RunTests runs the conformance suite against the stores newStore returns,
// one per subtest.
func RunTests(t *testing.T, newStore NewStore) {
	for _, suite := range []struct {
		name string
		run  func(*testing.T, NewStore)
	}{
		{"Tx", testTx},
		{"Enterprises", testEnterprises},
		{"Organizations", testOrganizations},
		{"Groups", testGroups},
		{"Projects", testProjects},
		{"Users", testUsers},
		{"Memberships", testMemberships},
		{"Tokens", testTokens},
		{"Sessions", testSessions},
		{"AuditEvents", testAuditEvents},
		{"SSOConnections", testSSOConnections},
		{"AuthnRequests", testAuthnRequests},
	} {
		t.Run(suite.name, func(t *testing.T) { suite.run(t, newStore) })
	}
}

// now is the suite's fixed clock: a UTC time with milliseconds, which
// every store keeps exactly.
var now = time.Date(2025, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

// diffOpts compare values read back with those written: nil and empty
// slices and maps are equal, and times compare with Equal.
var diffOpts = []cmp.Option{cmpopts.EquateEmpty()}

// MustTx runs fn in a write transaction of s and fails tb if it returns an error.
func MustTx(tb testing.TB, s store.Store, fn func(tx store.Tx)) {
	tb.Helper()
	err := s.Tx(tb.Context(), func(tx store.Tx) error {
		fn(tx)
		return nil
	})
	if err != nil {
		tb.Fatalf("Tx: %v", err)
	}
}

// MustView runs fn in a read-only transaction of s and fails tb if it
// returns an error.
func MustView(tb testing.TB, s store.Store, fn func(tx store.Tx)) {
	tb.Helper()
	err := s.View(tb.Context(), func(tx store.Tx) error {
		fn(tx)
		return nil
	})
	if err != nil {
		tb.Fatalf("View: %v", err)
	}
}

// check fails tb if err is not nil; what names the call.
func check(tb testing.TB, what string, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// wantErr reports on tb unless err is, or wraps, want.
func wantErr(tb testing.TB, what string, err, want error) {
	tb.Helper()
	if !errors.Is(err, want) {
		tb.Errorf("%s = %v; want %v", what, err, want)
	}
}

// errCase is a write that must fail with err, run in a transaction of its
// own: on PostgreSQL a foreign key violation aborts the transaction.
type errCase struct {
	name string
	fn   func(t *testing.T, tx store.Tx, f *Fixture) error
	want error
}

// runErrCases runs each case on a fresh store holding a [Fixture], and
// checks that the transaction returns the error. That it then writes
// nothing is Tx's rollback, which testTx checks.
func runErrCases(t *testing.T, newStore NewStore, tests []errCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			f := MustFixture(t, s)
			err := s.Tx(t.Context(), func(tx store.Tx) error { return tt.fn(t, tx, f) })
			wantErr(t, tt.name, err, tt.want)
		})
	}
}

// A Fixture is a small world most tests start from: an enterprise with
// one organization, its built-in groups and a group Devs; a local and an
// SSO user; and a project.
type Fixture struct {
	Enterprise            *gatehouse.Enterprise
	Org                   *gatehouse.Organization
	Members, Owners, Devs *gatehouse.Group
	Local, SSO            *gatehouse.User
	Project               *gatehouse.Project
}

// MustFixture writes a [Fixture] to s.
func MustFixture(tb testing.TB, s store.Store) *Fixture {
	tb.Helper()
	var f Fixture
	MustTx(tb, s, func(tx store.Tx) {
		f.Enterprise = MustEnterprise(tb, tx, "acme")
		f.Org = MustOrganization(tb, tx, "acme-web", f.Enterprise.ID)
		f.Members = MustBuiltinGroup(tb, tx, f.Org.ID, gatehouse.BuiltinMembers)
		f.Owners = MustBuiltinGroup(tb, tx, f.Org.ID, gatehouse.BuiltinOwners)
		f.Devs = MustGroup(tb, tx, f.Org.ID, "Devs", gatehouse.PermissionScan)
		f.Local = MustLocalUser(tb, tx, "root")
		f.SSO = MustSSOUser(tb, tx, f.Enterprise.ID, "bob@acme.example")
		f.Project = MustProject(tb, tx, f.Org.ID, "web")
	})
	return &f
}

// MustEnterprise creates an enterprise with key.
func MustEnterprise(tb testing.TB, tx store.Tx, key string) *gatehouse.Enterprise {
	tb.Helper()
	e := newEnterprise(key)
	check(tb, "CreateEnterprise", tx.CreateEnterprise(e))
	return e
}

func newEnterprise(key string) *gatehouse.Enterprise {
	return &gatehouse.Enterprise{Key: key, Name: "Enterprise " + key, CreatedAt: now}
}

// MustOrganization creates an organization with key in the enterprise (0: none).
func MustOrganization(tb testing.TB, tx store.Tx, key string, enterpriseID int64) *gatehouse.Organization {
	tb.Helper()
	o := &gatehouse.Organization{Key: key, Name: "Organization " + key, EnterpriseID: enterpriseID, CreatedAt: now}
	check(tb, "CreateOrganization", tx.CreateOrganization(o))
	return o
}

// MustGroup creates a locally managed group.
func MustGroup(tb testing.TB, tx store.Tx, organizationID int64, name string, perms ...gatehouse.Permission) *gatehouse.Group {
	tb.Helper()
	g := &gatehouse.Group{OrganizationID: organizationID, Name: name, Permissions: perms, ManagedBy: gatehouse.ManagedLocal, CreatedAt: now}
	check(tb, "CreateGroup", tx.CreateGroup(g))
	return g
}

// MustBuiltinGroup creates the organization's Members or Owners group.
func MustBuiltinGroup(tb testing.TB, tx store.Tx, organizationID int64, builtin string) *gatehouse.Group {
	tb.Helper()
	g := &gatehouse.Group{OrganizationID: organizationID, Name: gatehouse.MembersGroupName, Builtin: builtin,
		ManagedBy: gatehouse.ManagedLocal, CreatedAt: now}
	if builtin == gatehouse.BuiltinOwners {
		g.Name, g.Permissions = gatehouse.OwnersGroupName, []gatehouse.Permission{gatehouse.PermissionAdmin}
	}
	check(tb, "CreateGroup", tx.CreateGroup(g))
	return g
}

// MustLocalUser creates an active local user.
func MustLocalUser(tb testing.TB, tx store.Tx, login string) *gatehouse.User {
	tb.Helper()
	u := &gatehouse.User{Login: login, Name: "User " + login, Email: login + "@example.com", Kind: gatehouse.UserLocal,
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", Active: true, CreatedAt: now}
	check(tb, "CreateUser", tx.CreateUser(u))
	return u
}

// MustSSOUser creates an active SSO user of the enterprise, whose identity
// key is externalID.
func MustSSOUser(tb testing.TB, tx store.Tx, enterpriseID int64, externalID string) *gatehouse.User {
	tb.Helper()
	suffix := Hash(fmt.Sprint(enterpriseID, externalID))[:2]
	u := &gatehouse.User{Login: fmt.Sprintf("%s-%x", gatehouse.LoginSlug(externalID), suffix), Name: externalID,
		Email: externalID, Kind: gatehouse.UserSSO, EnterpriseID: enterpriseID, ExternalID: externalID, Active: true, CreatedAt: now}
	check(tb, "CreateUser", tx.CreateUser(u))
	return u
}

// MustProject creates a project with key.
func MustProject(tb testing.TB, tx store.Tx, organizationID int64, key string) *gatehouse.Project {
	tb.Helper()
	p := &gatehouse.Project{OrganizationID: organizationID, Key: key, Name: "Project " + key, CreatedAt: now}
	check(tb, "CreateProject", tx.CreateProject(p))
	return p
}

// MustMembership puts the user in the group.
func MustMembership(tb testing.TB, tx store.Tx, userID, groupID int64, source string) *gatehouse.Membership {
	tb.Helper()
	m := &gatehouse.Membership{UserID: userID, GroupID: groupID, Source: source, CreatedAt: now}
	check(tb, "AddMembership", tx.AddMembership(m))
	return m
}

// MustPersonalToken creates a personal token of the user; secret names it
// and determines its hash.
func MustPersonalToken(tb testing.TB, tx store.Tx, userID int64, secret string, created time.Time) *gatehouse.Token {
	tb.Helper()
	k := &gatehouse.Token{Kind: gatehouse.TokenPersonal, Name: secret, Hash: Hash(secret), UserID: userID, CreatedAt: created}
	check(tb, "CreateToken", tx.CreateToken(k))
	return k
}

// MustOrganizationToken creates an organization token scoped to projectIDs
// (none: every project).
func MustOrganizationToken(tb testing.TB, tx store.Tx, userID, organizationID int64, secret string, projectIDs ...int64) *gatehouse.Token {
	tb.Helper()
	k := &gatehouse.Token{Kind: gatehouse.TokenOrganization, Name: secret, Hash: Hash(secret), UserID: userID,
		OrganizationID: organizationID, ProjectIDs: projectIDs, CreatedAt: now}
	check(tb, "CreateToken", tx.CreateToken(k))
	return k
}

// Hash returns the SHA-256 of s, as tokens and sessions are stored.
func Hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// A subtest is one case of the suite, run on a fresh store.
type subtest struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// runSubtests runs each subtest on a store of its own.
func runSubtests(t *testing.T, newStore NewStore, tests []subtest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newStore(t)) })
	}
}

// pluck returns the field of each element of vs that field picks.
func pluck[T, V any](vs []T, field func(T) V) []V {
	out := make([]V, len(vs))
	for i, v := range vs {
		out[i] = field(v)
	}
	return out
}

func enterpriseKey(e *gatehouse.Enterprise) string     { return e.Key }
func organizationKey(o *gatehouse.Organization) string { return o.Key }
func projectKey(p *gatehouse.Project) string           { return p.Key }
func userLogin(u *gatehouse.User) string               { return u.Login }
func groupName(g *gatehouse.Group) string              { return g.Name }
