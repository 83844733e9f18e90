package token_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
	"github.com/gatehouse-sso/gatehouse/token"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// Addresses the tests call from: inside acme's allow list, and outside it.
var (
	inside  = netip.MustParseAddr("203.0.113.7")
	outside = netip.MustParseAddr("198.51.100.9")
)

const testIdPSSOURL = "https://idp.example.com/sso"

// testIdP is the identity provider of enterprise acme; one RSA key serves
// every test.
var testIdP = sync.OnceValues(func() (*samltest.IdP, error) {
	return samltest.NewIdP("https://idp.example.com/metadata", testNow)
})

// env is a world the token tests share: the token, admin and login
// services over one store, with a clock tests move by setting Now.
//
//	enterprise acme (SSO through testIdP; allow list 203.0.113.0/24):
//	  acme-web:  groups Devs (scan), Gates (gateadmin); projects web-app, web-api
//	  acme-data: group Devs (scan); project data-etl
//	solo (no enterprise): project solo-app
//	local users: olga (Owners of acme-web), lena (Devs of acme-web), root (Owners of solo)
type env struct {
	Tokens           *token.Service
	Admin            *admin.Service
	Login            *login.Service
	Store            store.Store
	Now              time.Time
	Olga, Lena, Root *gatehouse.User
}

// forEachEngine runs test on SQLite and on PostgreSQL, each with a fresh env.
func forEachEngine(t *testing.T, test func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { test(t, MustEnv(t, filepath.Join(t.TempDir(), "gatehouse.db"))) })
	t.Run("postgres", func(t *testing.T) { test(t, MustEnv(t, pgtest.URL(t))) })
}

// MustEnv returns an env over the store at dsn.
func MustEnv(tb testing.TB, dsn string) *env {
	tb.Helper()
	st, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	base := &url.URL{Scheme: "https", Host: "gatehouse.example"}
	e := &env{Store: st, Now: testNow}
	now := func() time.Time { return e.Now }
	e.Tokens = token.NewService(st)
	e.Tokens.Now = now
	e.Admin = admin.NewService(st, base)
	e.Admin.Now = now
	e.Login = login.NewService(st, base)
	e.Login.Now = now
	e.mustFixture(tb)
	return e
}

func (e *env) mustFixture(tb testing.TB) {
	tb.Helper()
	ctx, op := context.Background(), gatehouse.Operator
	must(tb, e.Admin.CreateEnterprise(ctx, op, &gatehouse.Enterprise{Key: "acme", Name: "Acme", IPAllowList: []string{"203.0.113.0/24"}}))
	orgs := []struct {
		key, enterprise string
		groups          map[string]gatehouse.Permission
		projects        []string
	}{
		{"acme-web", "acme", map[string]gatehouse.Permission{"Devs": gatehouse.PermissionScan, "Gates": gatehouse.PermissionGateAdmin}, []string{"web-app", "web-api"}},
		{"acme-data", "acme", map[string]gatehouse.Permission{"Devs": gatehouse.PermissionScan}, []string{"data-etl"}},
		{"solo", "", nil, []string{"solo-app"}},
	}
	for _, o := range orgs {
		must(tb, e.Admin.CreateOrganization(ctx, op, &gatehouse.Organization{Key: o.key, Name: o.key}, o.enterprise))
		for name, p := range o.groups {
			must(tb, e.Admin.CreateGroup(ctx, op, o.key, &gatehouse.Group{Name: name, Permissions: []gatehouse.Permission{p}}))
		}
		for _, p := range o.projects {
			must(tb, e.Admin.CreateProject(ctx, op, o.key, &gatehouse.Project{Key: p, Name: p}))
		}
	}
	e.Olga, e.Lena, e.Root = e.MustLocalUser(tb, "olga"), e.MustLocalUser(tb, "lena"), e.MustLocalUser(tb, "root")
	e.MustJoin(tb, "acme-web", "Owners", "olga")
	e.MustJoin(tb, "acme-web", "Devs", "lena")
	e.MustJoin(tb, "solo", "Owners", "root")
	idp := MustIdP(tb)
	cert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Certificate.Raw}))
	_, err := e.Admin.PutSSO(ctx, op, "acme", admin.SSOInput{IdPEntityID: idp.EntityID, SSOURL: testIdPSSOURL, Certificates: []string{cert}})
	must(tb, err)
}

// must fails tb if err is not nil.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// MustIdP returns testIdP.
func MustIdP(tb testing.TB) *samltest.IdP {
	tb.Helper()
	idp, err := testIdP()
	must(tb, err)
	return idp
}

// MustLocalUser creates a local user straight in the store: hashing a
// password would cost more than the tests.
func (e *env) MustLocalUser(tb testing.TB, login string) *gatehouse.User {
	tb.Helper()
	var u *gatehouse.User
	storetest.MustTx(tb, e.Store, func(tx store.Tx) { u = storetest.MustLocalUser(tb, tx, login) })
	return u
}

// MustJoin puts the user with login in the organization's group by hand.
func (e *env) MustJoin(tb testing.TB, org, group, login string) {
	tb.Helper()
	must(tb, e.Admin.AddGroupMember(context.Background(), gatehouse.Operator, e.MustGroupID(tb, org, group), login))
}

// MustGroupID returns the ID of the organization's group called name.
func (e *env) MustGroupID(tb testing.TB, org, name string) int64 {
	tb.Helper()
	gs, err := e.Admin.ListGroups(context.Background(), gatehouse.Operator, org)
	must(tb, err)
	i := slices.IndexFunc(gs, func(g *gatehouse.Group) bool { return g.Name == name })
	if i < 0 {
		tb.Fatalf("organization %s has no group %s", org, name)
	}
	return gs[i].ID
}

// MustSSOLogin signs name in to acme through a whole SP-initiated SSO
// login, in which the IdP sends groups, and returns the user.
func (e *env) MustSSOLogin(tb testing.TB, name string, groups ...string) *gatehouse.User {
	tb.Helper()
	ctx := context.Background()
	start, err := e.Login.StartSSO(ctx, "acme", "", "", inside)
	must(tb, err)
	redirect, err := url.Parse(start.RedirectURL)
	must(tb, err)
	base := "https://gatehouse.example/saml/acme"
	doc, err := MustIdP(tb).Response(samltest.Login{SPEntityID: base, ACSURL: base + "/acs",
		InResponseTo: mustRequestID(tb, redirect.Query().Get("SAMLRequest")), NameID: name,
		Attributes: []samltest.Attribute{{Name: "login", Values: []string{name}}, {Name: "name", Values: []string{name}},
			{Name: "groups", Values: groups}},
		Now: e.Now.Add(-time.Second), Sign: samltest.SignAssertion})
	must(tb, err)
	res, err := e.Login.FinishSSO(ctx, login.ACS{EnterpriseKey: "acme", SAMLResponse: samltest.Encode(doc),
		RelayState: redirect.Query().Get("RelayState"), BrowserSecret: start.BrowserSecret, Client: inside})
	if err != nil {
		tb.Fatalf("FinishSSO(%s) = %v", name, err)
	}
	return res.User
}

// mustRequestID returns the ID of an HTTP-Redirect SAMLRequest value.
func mustRequestID(tb testing.TB, samlRequest string) string {
	tb.Helper()
	deflated, err := base64.StdEncoding.DecodeString(samlRequest)
	must(tb, err)
	doc, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	must(tb, err)
	var req struct {
		ID string `xml:"ID,attr"`
	}
	if err := xml.Unmarshal(doc, &req); err != nil || req.ID == "" {
		tb.Fatalf("SAMLRequest %s has no ID (%v)", doc, err)
	}
	return req.ID
}

// MustPersonal creates a personal token of u, expiring at expiresAt
// (zero: never), and returns its secret.
func (e *env) MustPersonal(tb testing.TB, u *gatehouse.User, name string, expiresAt time.Time) *token.Created {
	tb.Helper()
	c, err := e.Tokens.CreatePersonalToken(context.Background(), gatehouse.UserActor(u), name, expiresAt)
	must(tb, err)
	return c
}

// MustOrganizationToken creates a token of org as its owner u.
func (e *env) MustOrganizationToken(tb testing.TB, u *gatehouse.User, org string, in token.OrganizationTokenInput) *token.Created {
	tb.Helper()
	c, err := e.Tokens.CreateOrganizationToken(context.Background(), gatehouse.UserActor(u), org, in)
	must(tb, err)
	return c
}

// events returns the audit events of type typ, oldest first, as
// "actor target name".
func (e *env) events(tb testing.TB, typ string) []string {
	tb.Helper()
	evs, err := e.Admin.AuditEvents(context.Background(), gatehouse.Operator, admin.AuditQuery{Types: []string{typ}, Limit: admin.MaxAuditPage})
	must(tb, err)
	var out []string
	for _, ev := range slices.Backward(evs) {
		out = append(out, ev.Actor+" "+ev.Target+" "+ev.Details["name"].(string))
	}
	return out
}

// snapshot renders every token and audit event, so that a test can prove
// a refused call wrote nothing.
func (e *env) snapshot(tb testing.TB) string {
	tb.Helper()
	var b strings.Builder
	storetest.MustView(tb, e.Store, func(tx store.Tx) {
		for _, u := range []*gatehouse.User{e.Olga, e.Lena, e.Root} {
			ks, err := tx.ListTokens(store.TokenFilter{UserID: u.ID})
			must(tb, err)
			for _, k := range ks {
				fmt.Fprintf(&b, "%+v\n", *k)
			}
		}
		orgs, err := tx.ListOrganizations(store.OrganizationFilter{})
		must(tb, err)
		for _, o := range orgs {
			ks, err := tx.ListTokens(store.TokenFilter{OrganizationID: o.ID})
			must(tb, err)
			for _, k := range ks {
				fmt.Fprintf(&b, "%+v\n", *k)
			}
		}
		evs, err := tx.ListAuditEvents(store.AuditFilter{Limit: 10000})
		must(tb, err)
		fmt.Fprintf(&b, "%d audit events", len(evs))
	})
	return b.String()
}
