package login_test

import (
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"

	// The "sqlite" driver, for reading the test database row by row.
	_ "modernc.org/sqlite"
)

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

const (
	testIdPEntityID = "https://idp.example.com/metadata"
	testIdPSSOURL   = "https://idp.example.com/sso"
)

// testClient is the address the tests log in from.
var testClient = netip.MustParseAddr("192.0.2.10")

// testIdP is the identity provider every test enterprise trusts: making an
// RSA key per test would cost more than the tests.
var testIdP = sync.OnceValues(func() (*samltest.IdP, error) {
	return samltest.NewIdP(testIdPEntityID, testNow)
})

// otherIdP is an IdP that no test enterprise trusts.
var otherIdP = sync.OnceValues(func() (*samltest.IdP, error) {
	return samltest.NewIdP(testIdPEntityID, testNow)
})

// MustOtherIdP returns otherIdP.
func MustOtherIdP(tb testing.TB) *samltest.IdP {
	tb.Helper()
	idp, err := otherIdP()
	if err != nil {
		tb.Fatal(err)
	}
	return idp
}

// MustIdP returns testIdP.
func MustIdP(tb testing.TB) *samltest.IdP {
	tb.Helper()
	idp, err := testIdP()
	if err != nil {
		tb.Fatal(err)
	}
	return idp
}

// env is a login service and an admin service over one store, with a
// fixed clock that tests move by setting Now.
type env struct {
	Login *login.Service
	Admin *admin.Service
	Store store.Store
	IdP   *samltest.IdP
	// Now is the time both services see.
	Now time.Time
	// dbPath is the SQLite file, "" on PostgreSQL.
	dbPath string
}

// MustEnv returns an env over a fresh SQLite store in tb.TempDir() with
// the fixture of mustFixture.
func MustEnv(tb testing.TB) *env {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "gatehouse.db")
	e := MustEnvOn(tb, path)
	e.dbPath = path
	return e
}

// MustEnvOn returns an env over the store at dsn, an SQLite path or a
// PostgreSQL URL, with the fixture of mustFixture.
func MustEnvOn(tb testing.TB, dsn string) *env {
	tb.Helper()
	e := mustEmptyEnv(tb, dsn)
	mustFixture(tb, e)
	return e
}

// mustEmptyEnv returns an env over the store at dsn, with nothing in it.
func mustEmptyEnv(tb testing.TB, dsn string) *env {
	tb.Helper()
	st, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	base := &url.URL{Scheme: "https", Host: "gatehouse.example"}
	e := &env{Store: st, IdP: MustIdP(tb), Now: testNow}
	e.Admin = admin.NewService(st, base)
	e.Admin.Now = func() time.Time { return e.Now }
	e.Login = login.NewService(st, base)
	e.Login.Now = func() time.Time { return e.Now }
	return e
}

// mustFixture creates enterprise acme, whose IdP is testIdP, with two
// organizations, and enterprise globex without SSO:
//
//	acme-web:  Members, Owners, Devs, Ops, Admins
//	acme-data: Members, Owners, Devs, devs, Analysts
//	globex-main (enterprise globex): Members, Owners, Devs
func mustFixture(tb testing.TB, e *env) {
	tb.Helper()
	for _, key := range []string{"acme", "globex"} {
		if err := e.Admin.CreateEnterprise(context.Background(), gatehouse.Operator, &gatehouse.Enterprise{Key: key, Name: "Enterprise " + key}); err != nil {
			tb.Fatal(err)
		}
	}
	groups := map[string][]string{"acme-web": {"Devs", "Ops", "Admins"}, "acme-data": {"Devs", "devs", "Analysts"}, "globex-main": {"Devs"}}
	for _, org := range []string{"acme-web", "acme-data", "globex-main"} {
		enterprise, _, _ := strings.Cut(org, "-")
		if err := e.Admin.CreateOrganization(context.Background(), gatehouse.Operator, &gatehouse.Organization{Key: org, Name: org}, enterprise); err != nil {
			tb.Fatal(err)
		}
		for _, name := range groups[org] {
			MustGroup(tb, e, org, name)
		}
	}
	MustPutSSO(tb, e, "acme")
}

// MustGroup creates a group as the operator.
func MustGroup(tb testing.TB, e *env, org, name string) *gatehouse.Group {
	tb.Helper()
	g := &gatehouse.Group{Name: name, Permissions: []gatehouse.Permission{gatehouse.PermissionScan}}
	if err := e.Admin.CreateGroup(context.Background(), gatehouse.Operator, org, g); err != nil {
		tb.Fatal(err)
	}
	return g
}

// MustPutSSO connects the enterprise with key to testIdP.
func MustPutSSO(tb testing.TB, e *env, key string) *admin.SSOView {
	tb.Helper()
	cert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: e.IdP.Certificate.Raw}))
	v, err := e.Admin.PutSSO(context.Background(), gatehouse.Operator, key, admin.SSOInput{
		IdPEntityID: e.IdP.EntityID, SSOURL: testIdPSSOURL, Certificates: []string{cert}})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// A started login is what the browser holds after StartSSO.
type started struct {
	Key string
	// RequestID is the AuthnRequest ID, read from the redirect URL.
	RequestID     string
	RelayState    string
	BrowserSecret string
}

// MustStart starts an SSO login to the enterprise with key from a new
// browser, and reads the AuthnRequest the browser is sent to the IdP with.
func (e *env) MustStart(tb testing.TB, key, returnTo string) started {
	tb.Helper()
	return e.MustStartIn(tb, key, returnTo, "")
}

// MustStartIn is MustStart in the browser whose binding cookie holds
// secret ("" for a new browser).
func (e *env) MustStartIn(tb testing.TB, key, returnTo, secret string) started {
	tb.Helper()
	s, err := e.Login.StartSSO(context.Background(), key, returnTo, secret, testClient)
	if err != nil {
		tb.Fatalf("StartSSO(%q) = %v", key, err)
	}
	u, err := url.Parse(s.RedirectURL)
	if err != nil {
		tb.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != testIdPSSOURL {
		tb.Errorf("StartSSO redirects to %q; want the IdP SSO URL %q", got, testIdPSSOURL)
	}
	q := u.Query()
	return started{Key: key, RequestID: MustRequestID(tb, q.Get("SAMLRequest")), RelayState: q.Get("RelayState"), BrowserSecret: s.BrowserSecret}
}

// MustRequestID returns the ID of an HTTP-Redirect SAMLRequest value:
// base64 of the deflated AuthnRequest.
func MustRequestID(tb testing.TB, samlRequest string) string {
	tb.Helper()
	deflated, err := base64.StdEncoding.DecodeString(samlRequest)
	if err != nil {
		tb.Fatalf("SAMLRequest is not base64: %v", err)
	}
	doc, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	if err != nil {
		tb.Fatalf("SAMLRequest is not deflated: %v", err)
	}
	var req struct {
		XMLName xml.Name
		ID      string `xml:"ID,attr"`
	}
	if err := xml.Unmarshal(doc, &req); err != nil || req.XMLName.Local != "AuthnRequest" || req.ID == "" {
		tb.Fatalf("SAMLRequest %s is not an AuthnRequest with an ID (%v)", doc, err)
	}
	return req.ID
}

// An idpUser is what the IdP says about the person signing in.
type idpUser struct {
	Login, Name, Email string
	// Groups nil sends no groups attribute.
	Groups []string
	// Extra attributes are sent after the others.
	Extra []samltest.Attribute
	// AssertionID, when set, replaces the assertion's random ID.
	AssertionID string
}

// alice is the user most tests sign in.
var alice = idpUser{Login: "alice@acme.example", Name: "Alice Liddell", Email: "alice@acme.example", Groups: []string{"Devs"}}

// withGroups returns u with groups.
func (u idpUser) withGroups(groups ...string) idpUser {
	u.Groups = groups
	return u
}

// samlLogin returns what the IdP signs for u in answer to s, issued a
// second before the env's clock.
func (e *env) samlLogin(s started, u idpUser) samltest.Login {
	base := "https://gatehouse.example/saml/" + s.Key
	attrs := []samltest.Attribute{{Name: "login", Values: []string{u.Login}}, {Name: "name", Values: []string{u.Name}}}
	if u.Email != "" {
		attrs = append(attrs, samltest.Attribute{Name: "email", Values: []string{u.Email}})
	}
	if u.Groups != nil {
		attrs = append(attrs, samltest.Attribute{Name: "groups", Values: u.Groups})
	}
	l := samltest.Login{SPEntityID: base, ACSURL: base + "/acs", InResponseTo: s.RequestID, NameID: u.Login,
		Attributes: append(attrs, u.Extra...), Now: e.Now.Add(-time.Second), Sign: samltest.SignAssertion}
	if u.AssertionID != "" {
		l.Edit = func(a *crewjam.Assertion) { a.ID = u.AssertionID }
	}
	return l
}

// MustResponse returns the base64 SAMLResponse the IdP posts for u in
// answer to s.
func (e *env) MustResponse(tb testing.TB, s started, u idpUser) string {
	tb.Helper()
	doc, err := e.IdP.Response(e.samlLogin(s, u))
	if err != nil {
		tb.Fatal(err)
	}
	return samltest.Encode(doc)
}

// acs returns what the browser that started s posts to the ACS.
func (s started) acs(samlResponse string) login.ACS {
	return login.ACS{EnterpriseKey: s.Key, SAMLResponse: samlResponse, RelayState: s.RelayState, BrowserSecret: s.BrowserSecret, Client: testClient}
}

// MustLogin signs u in to acme through a whole SP-initiated login.
func (e *env) MustLogin(tb testing.TB, u idpUser) *login.Result {
	tb.Helper()
	s := e.MustStart(tb, "acme", "")
	res, err := e.Login.FinishSSO(context.Background(), s.acs(e.MustResponse(tb, s, u)))
	if err != nil {
		tb.Fatalf("FinishSSO(%s) = %v", u.Login, err)
	}
	return res
}

// MustUser returns the enterprise's SSO user with login attribute externalID.
func (e *env) MustUser(tb testing.TB, enterprise, externalID string) *gatehouse.User {
	tb.Helper()
	var u *gatehouse.User
	err := e.Store.View(context.Background(), func(tx store.Tx) error {
		ent, err := tx.Enterprise(enterprise)
		if err != nil {
			return err
		}
		u, err = tx.SSOUser(ent.ID, externalID)
		return err
	})
	if err != nil {
		tb.Fatalf("SSO user %q of %q: %v", externalID, enterprise, err)
	}
	return u
}

// groupsOf returns the groups u is in, as "org/group", sorted.
func (e *env) groupsOf(tb testing.TB, u *gatehouse.User) []string {
	tb.Helper()
	out := []string{}
	err := e.Store.View(context.Background(), func(tx store.Tx) error {
		ms, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID})
		if err != nil {
			return err
		}
		for _, m := range ms {
			g, err := tx.Group(m.GroupID)
			if err != nil {
				return err
			}
			o, err := tx.OrganizationByID(g.OrganizationID)
			if err != nil {
				return err
			}
			out = append(out, o.Key+"/"+g.Name)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// event is the part of an audit event the tests compare.
type event struct {
	Type, Actor, Target, Org string
	// Group is the group a membership event names.
	Group string
}

// events returns the audit events of types (all if none) with an ID above
// after, oldest first.
func (e *env) events(tb testing.TB, after int64, types ...string) ([]event, []*gatehouse.AuditEvent) {
	tb.Helper()
	var out []event
	var raw []*gatehouse.AuditEvent
	err := e.Store.View(context.Background(), func(tx store.Tx) error {
		evs, err := tx.ListAuditEvents(store.AuditFilter{Types: types, Limit: 10000})
		if err != nil {
			return err
		}
		for _, ev := range slices.Backward(evs) {
			if ev.ID <= after {
				continue
			}
			org := ""
			if ev.OrganizationID != 0 {
				o, err := tx.OrganizationByID(ev.OrganizationID)
				if err != nil {
					return err
				}
				org = o.Key
			}
			group, _ := ev.Details["group"].(string)
			out = append(out, event{Type: ev.Type, Actor: ev.Actor, Target: ev.Target, Org: org, Group: group})
			raw = append(raw, ev)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out, raw
}

// lastEventID returns the ID of the newest audit event.
func (e *env) lastEventID(tb testing.TB) int64 {
	tb.Helper()
	_, evs := e.events(tb, 0)
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].ID
}

// A dump is every row of every table of an SQLite database, as text, by
// table.
type dump map[string][]string

// MustDump reads every row of the env's SQLite database.
func (e *env) MustDump(tb testing.TB) dump {
	tb.Helper()
	if e.dbPath == "" {
		tb.Fatal("MustDump needs an SQLite env")
	}
	db, err := sql.Open("sqlite", e.dbPath+"?_pragma=query_only(1)&_pragma=busy_timeout(5000)")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	names, err := queryStrings(db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	d := dump{}
	for _, name := range names {
		t := strings.TrimPrefix(name, "name=")
		rows, err := queryStrings(db, `SELECT * FROM "`+t+`"`)
		if err != nil {
			tb.Fatal(err)
		}
		d[t] = rows
	}
	return d
}

// queryStrings runs query and renders each row as one string.
func queryStrings(db *sql.DB, query string) ([]string, error) {
	rows, err := db.Query(query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = hex.EncodeToString(b)
			}
			cells[i] = fmt.Sprintf("%s=%v", cols[i], v)
		}
		out = append(out, strings.Join(cells, " "))
	}
	return out, rows.Err()
}

// changes lists, by table, the rows that are in after and not in before
// ("+ row") and the reverse ("- row"). Tables that did not change are
// left out.
func changes(before, after dump) map[string][]string {
	out := map[string][]string{}
	for t := range mergeKeys(before, after) {
		var c []string
		for _, r := range minus(after[t], before[t]) {
			c = append(c, "+ "+r)
		}
		for _, r := range minus(before[t], after[t]) {
			c = append(c, "- "+r)
		}
		if len(c) > 0 {
			out[t] = c
		}
	}
	return out
}

func mergeKeys(a, b dump) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// minus returns the rows of a that b does not hold, as multisets.
func minus(a, b []string) []string {
	left := map[string]int{}
	for _, r := range b {
		left[r]++
	}
	var out []string
	for _, r := range a {
		if left[r] > 0 {
			left[r]--
			continue
		}
		out = append(out, r)
	}
	return out
}

// changedTables returns how many rows each changed table gained and lost,
// as "table +added -removed", sorted.
func changedTables(c map[string][]string) []string {
	var out []string
	for t, rows := range c {
		added := 0
		for _, r := range rows {
			if strings.HasPrefix(r, "+") {
				added++
			}
		}
		out = append(out, fmt.Sprintf("%s +%d -%d", t, added, len(rows)-added))
	}
	slices.Sort(out)
	return out
}

// refusal returns err's *gatehouse.Refusal, or nil.
func refusal(err error) *gatehouse.Refusal {
	var r *gatehouse.Refusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}
