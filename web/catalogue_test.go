package web_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/internal/pgtest"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/token"
	"github.com/gatehouse-sso/gatehouse/web"
)

// catalogueDir is the attack catalogue of package saml (its README says
// how to add a case).
const catalogueDir = "../saml/testdata/catalogue"

// The browsers and RelayStates of the catalogue tests.
const (
	browserSecret = "catalogue-browser"
	otherBrowser  = "another-browser"
	relayState    = "catalogue-relay-state"
)

// MustCatalogue loads the attack catalogue.
func MustCatalogue(tb testing.TB) *samltest.Catalogue {
	tb.Helper()
	cat, err := samltest.LoadCatalogue(catalogueDir)
	if err != nil {
		tb.Fatal(err)
	}
	return cat
}

// A catalogueWorld is a Gatehouse database set up as the catalogue's
// responses expect: enterprise acme with an SSO connection to the
// catalogue's IdP and an organization whose groups Devs and Ops match the
// groups alice is in, and enterprise globex with the same connection.
type catalogueWorld struct {
	cat          *samltest.Catalogue
	dsn          string
	st           store.Store
	acme, globex *gatehouse.Enterprise
}

// MustCatalogueWorld sets up dsn (an SQLite file or a PostgreSQL URL),
// with acme's connection trusting what case c says.
func MustCatalogueWorld(tb testing.TB, cat *samltest.Catalogue, dsn string, c samltest.CatalogueCase) *catalogueWorld {
	tb.Helper()
	ctx := context.Background()
	w := &catalogueWorld{cat: cat, dsn: dsn, st: MustOpenStore(tb, dsn)}
	a := admin.NewService(w.st, MustParseURL(tb, cat.BaseURL))
	a.Now = func() time.Time { return cat.Now }
	for _, key := range []string{cat.Enterprise, "globex"} {
		e := &gatehouse.Enterprise{Key: key, Name: key}
		if err := a.CreateEnterprise(ctx, gatehouse.Operator, e); err != nil {
			tb.Fatal(err)
		}
		// The connection goes straight to the store: the admin service
		// would refuse the certificate of a case about a refused key.
		conn, err := cat.Connection(c)
		if err != nil {
			tb.Fatal(err)
		}
		conn.EnterpriseID, conn.CreatedAt, conn.UpdatedAt = e.ID, cat.Now, cat.Now
		if err := w.st.Tx(ctx, func(tx store.Tx) error { return tx.PutSSOConnection(conn) }); err != nil {
			tb.Fatal(err)
		}
		if key == cat.Enterprise {
			w.acme = e
		} else {
			w.globex = e
		}
	}
	org := &gatehouse.Organization{Key: "acme-eng", Name: "Acme Engineering"}
	if err := a.CreateOrganization(ctx, gatehouse.Operator, org, cat.Enterprise); err != nil {
		tb.Fatal(err)
	}
	for _, name := range []string{"Devs", "Ops"} {
		if err := a.CreateGroup(ctx, gatehouse.Operator, org.Key, &gatehouse.Group{Name: name}); err != nil {
			tb.Fatal(err)
		}
	}
	return w
}

// MustOpenStore opens the store at dsn, closed when tb ends.
func MustOpenStore(tb testing.TB, dsn string) store.Store {
	tb.Helper()
	st, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// MustParseURL parses s.
func MustParseURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// Node returns a Gatehouse server over its own connections to the world's
// database: a second node of a cluster, or a second process. Every
// service reads the catalogue's clock; configure may change the web
// configuration.
func (w *catalogueWorld) Node(tb testing.TB, configure ...func(c *web.Config)) http.Handler {
	tb.Helper()
	st := MustOpenStore(tb, w.dsn)
	base := MustParseURL(tb, w.cat.BaseURL)
	now := func() time.Time { return w.cat.Now }
	a := admin.NewService(st, base)
	a.Now = now
	l := login.NewService(st, base)
	l.Now = now
	tk := token.NewService(st)
	tk.Now = now
	cfg := web.Config{BaseURL: base, OperatorToken: operatorToken, Admin: a, Login: l, Tokens: tk, Ready: st.Ping,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: now}
	for _, f := range configure {
		f(&cfg)
	}
	srv, err := web.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

// MustPendingRequest records the pending AuthnRequest id of enterprise e,
// started by the browser whose binding cookie is browser, as StartSSO
// records it. The catalogue's responses were signed once, for fixed
// request IDs, so the request cannot be one StartSSO would make.
func (w *catalogueWorld) MustPendingRequest(tb testing.TB, e *gatehouse.Enterprise, id, relay, browser string) {
	tb.Helper()
	h := sha256.Sum256([]byte(browser))
	req := &gatehouse.AuthnRequest{ID: id, EnterpriseID: e.ID, RelayState: relay, ReturnTo: login.DefaultReturnTo,
		BrowserHash: h[:], CreatedAt: w.cat.Now, ExpiresAt: w.cat.Now.Add(gatehouse.AuthnRequestLifetime)}
	if err := w.st.Tx(context.Background(), func(tx store.Tx) error { return tx.CreateAuthnRequest(req) }); err != nil {
		tb.Fatal(err)
	}
}

// PostACS posts the case's Response to the ACS of enterprise key on node,
// as the browser with the binding cookie browser.
func (w *catalogueWorld) PostACS(tb testing.TB, node http.Handler, key string, c samltest.CatalogueCase, relay, browser string) *httptest.ResponseRecorder {
	tb.Helper()
	form, err := w.cat.Response(c)
	if err != nil {
		tb.Fatal(err)
	}
	body := url.Values{"SAMLResponse": {form}, "RelayState": {relay}}.Encode()
	req := httptest.NewRequest(http.MethodPost, w.cat.BaseURL+"/saml/"+key+"/acs", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "gh_sso", Value: browser})
	rec := httptest.NewRecorder()
	node.ServeHTTP(rec, req)
	return rec
}

// A written is what a login may write: users, memberships, sessions and
// audit events (by type and reason).
type written struct {
	Users, Memberships, Sessions int
	Events                       []string
}

// MustWritten reads what the world's database holds.
func (w *catalogueWorld) MustWritten(tb testing.TB) written {
	tb.Helper()
	var out written
	err := w.st.View(context.Background(), func(tx store.Tx) error {
		users, err := tx.ListUsers(store.UserFilter{})
		if err != nil {
			return err
		}
		ms, err := tx.ListMemberships(store.MembershipFilter{EnterpriseID: w.acme.ID})
		if err != nil {
			return err
		}
		evs, err := tx.ListAuditEvents(store.AuditFilter{})
		if err != nil {
			return err
		}
		out.Users, out.Memberships = len(users), len(ms)
		for _, e := range evs {
			out.Events = append(out.Events, strings.TrimSpace(fmt.Sprintf("%s %v", e.Type, e.Details["reason"])))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	out.Sessions = w.mustCountSessions(tb)
	return out
}

// mustCountSessions counts the sessions table, which no store method lists.
func (w *catalogueWorld) mustCountSessions(tb testing.TB) int {
	tb.Helper()
	driver := "sqlite"
	if strings.HasPrefix(w.dsn, "postgres") {
		driver = "pgx"
	}
	db, err := sql.Open(driver, w.dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sessions").Scan(&n); err != nil {
		tb.Fatal(err)
	}
	return n
}

// TestACSCatalogue posts every case of the attack catalogue to the ACS of
// a real server on SQLite, with the pending request recorded for the right
// enterprise and browser (or, as the case says, for another enterprise or
// browser, or after the response it replays). Each attack must be refused
// with its reason: the status of the refusal, the page naming the reason,
// one authentication.login_failed event carrying it, and nothing else
// written — no user, membership or session. Each baseline must sign alice
// in; each injection must be refused or read whole.
func TestACSCatalogue(t *testing.T) {
	cat := MustCatalogue(t)
	for _, c := range cat.Cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Log(c.Attack)
			w := MustCatalogueWorld(t, cat, filepath.Join(t.TempDir(), "gatehouse.db"), c)
			node := w.Node(t)
			target, browser := w.acme, browserSecret
			switch c.Request {
			case samltest.RequestOtherEnterprise:
				target = w.globex
			case samltest.RequestOtherBrowser:
				browser = otherBrowser
			case samltest.RequestAfterValid:
				mustACSLogin(t, w, node)
			}
			w.MustPendingRequest(t, target, cat.Answers(c), relayState, browser)
			before := w.MustWritten(t)
			rec := w.PostACS(t, node, cat.Enterprise, c, relayState, browserSecret)
			switch {
			case c.Want == samltest.WantAccept:
				checkACSLogin(t, w, c, rec)
			case c.Want == samltest.WantWhole && rec.Code == http.StatusSeeOther:
				t.Log("accepted with the whole values")
				checkACSLogin(t, w, c, rec)
			case c.Want == samltest.WantWhole:
				t.Logf("refused: %s", dataReason(rec.Body.String()))
				checkACSRefusal(t, w, before, rec, gatehouse.RefusalReason(dataReason(rec.Body.String())))
			default:
				checkACSRefusal(t, w, before, rec, c.Reason())
			}
		})
	}
}

// TestACSReplayAcrossNodes replays, on a second node over the same
// database, a response the first node accepted: two processes on one
// SQLite file, and two nodes of a PostgreSQL cluster. The same response
// again is refused, since the login it completed is gone; a second
// response reusing its assertion ID for a new request is refused by the
// replay cache, which every node shares. Neither writes anything but its
// login_failed event.
func TestACSReplayAcrossNodes(t *testing.T) {
	for _, db := range []struct {
		name string
		dsn  func(tb testing.TB) string
	}{
		{"two processes on one SQLite file", func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "gatehouse.db") }},
		{"two nodes on PostgreSQL", pgtest.URL},
	} {
		t.Run(db.name, func(t *testing.T) {
			cat := MustCatalogue(t)
			w := MustCatalogueWorld(t, cat, db.dsn(t), catalogueCase(t, cat, "valid-both-signed"))
			one, two := w.Node(t), w.Node(t)
			mustACSLogin(t, w, one)
			before := w.MustWritten(t)
			rec := w.PostACS(t, two, cat.Enterprise, catalogueCase(t, cat, "valid-both-signed"), "first-"+relayState, browserSecret)
			checkACSRefusal(t, w, before, rec, gatehouse.RefusalUnknownRequest)

			replay := catalogueCase(t, cat, "replayed-assertion-id")
			w.MustPendingRequest(t, w.acme, cat.Answers(replay), relayState, browserSecret)
			before = w.MustWritten(t)
			rec = w.PostACS(t, two, cat.Enterprise, replay, relayState, browserSecret)
			checkACSRefusal(t, w, before, rec, gatehouse.RefusalReplayed)
		})
	}
}

// mustACSLogin signs alice in with valid-both-signed, answering the
// catalogue's request.
func mustACSLogin(t *testing.T, w *catalogueWorld, node http.Handler) {
	t.Helper()
	valid := catalogueCase(t, w.cat, "valid-both-signed")
	w.MustPendingRequest(t, w.acme, w.cat.RequestID, "first-"+relayState, browserSecret)
	if rec := w.PostACS(t, node, w.cat.Enterprise, valid, "first-"+relayState, browserSecret); rec.Code != http.StatusSeeOther {
		t.Fatalf("POST valid-both-signed = %d %s; want 303", rec.Code, rec.Body)
	}
}

// catalogueCase returns the case called name.
func catalogueCase(t *testing.T, cat *samltest.Catalogue, name string) samltest.CatalogueCase {
	t.Helper()
	for _, c := range cat.Cases {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("the catalogue has no case %q", name)
	return samltest.CatalogueCase{}
}

// checkACSRefusal checks that the ACS refused the login for reason: the
// status of the refusal, a page naming the reason, one login_failed event
// with it, and nothing else written.
func checkACSRefusal(t *testing.T, w *catalogueWorld, before written, rec *httptest.ResponseRecorder, reason gatehouse.RefusalReason) {
	t.Helper()
	want := http.StatusForbidden
	switch reason {
	case gatehouse.RefusalMalformed:
		want = http.StatusBadRequest
	case gatehouse.RefusalTooLarge:
		want = http.StatusRequestEntityTooLarge
	}
	if rec.Code != want {
		t.Errorf("POST ACS = %d; want %d", rec.Code, want)
	}
	if got := dataReason(rec.Body.String()); got != string(reason) {
		t.Errorf("the page names reason %q; want %q", got, reason)
	}
	if sessionCookie(rec) != "" {
		t.Errorf("POST ACS set the session cookie")
	}
	after := w.MustWritten(t)
	// Newest first.
	before.Events = append([]string{gatehouse.AuditLoginFailed + " " + string(reason)}, before.Events...)
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("the refused login wrote (-want +got):\n%s", diff)
	}
}

// checkACSLogin checks that the ACS signed in the user the case names,
// with the whole login value, and in no group its IdP did not send.
func checkACSLogin(t *testing.T, w *catalogueWorld, c samltest.CatalogueCase, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusSeeOther || sessionCookie(rec) == "" {
		t.Fatalf("POST ACS = %d, session cookie %q; want 303 with a session: %s", rec.Code, sessionCookie(rec), rec.Body)
	}
	login, groups := c.Login, c.Groups
	if login == "" {
		login = "alice"
	}
	if groups == nil {
		groups = []string{"Devs", "Ops"} // what the IdP says of alice
	}
	var got []string
	err := w.st.View(context.Background(), func(tx store.Tx) error {
		u, err := tx.SSOUser(w.acme.ID, login)
		if err != nil {
			return fmt.Errorf("SSO user %q: %w", login, err)
		}
		ms, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID})
		if err != nil {
			return err
		}
		for _, m := range ms {
			g, err := tx.Group(m.GroupID)
			if err != nil {
				return err
			}
			got = append(got, g.Name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Only groups that exist can be joined: Devs and Ops.
	var want []string
	for _, g := range groups {
		if g == "Devs" || g == "Ops" {
			want = append(want, g)
		}
	}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("groups of %q (-want +got):\n%s", login, diff)
	}
}

// dataReason returns the data-reason of a refusal page.
func dataReason(page string) string {
	_, rest, ok := strings.Cut(page, `data-reason="`)
	if !ok {
		return ""
	}
	reason, _, _ := strings.Cut(rest, `"`)
	return reason
}

// sessionCookie returns the session cookie rec sets, or "".
func sessionCookie(rec *httptest.ResponseRecorder) string {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "gh_session" && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

// TestPutSSORefusesTheCatalogueKeyOverMaxRSAKeyBits configures the
// certificate of the catalogue's rsa-8704-bit-key case through the API:
// it is refused when saved, naming the certificate and its key size, and
// nothing is saved (the ACS refuses one saved under an older policy; see
// TestACSCatalogue).
func TestPutSSORefusesTheCatalogueKeyOverMaxRSAKeyBits(t *testing.T) {
	cat := MustCatalogue(t)
	conn, err := cat.Connection(catalogueCase(t, cat, "rsa-8704-bit-key"))
	if err != nil {
		t.Fatal(err)
	}
	ts := MustServer(t)
	ts.mustCall(t, 201, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme"})
	r := ts.call(t, "PUT", "/api/v1/enterprises/acme/sso", map[string]any{"idp_entity_id": conn.IdPEntityID,
		"sso_url": conn.SSOURL, "certificates": conn.Certificates})
	if r.Status != 400 || r.errorField() != "certificates[0]" || !strings.Contains(r.errorMessage(), "8704-bit RSA key") {
		t.Errorf("PUT sso with an 8704-bit key = %d %v; want 400 on certificates[0] naming the key size", r.Status, r.Body)
	}
	if r := ts.call(t, "GET", "/api/v1/enterprises/acme/sso", nil); r.Status != 404 {
		t.Errorf("GET sso after the refusal = %d; want 404", r.Status)
	}
}

// TestUnsolicitedLoginPageOffersTheLoginURL posts the catalogue's
// IdP-initiated response: its page offers the enterprise's SSO login URL
// in a labelled field with a copy button, as the console's values are.
func TestUnsolicitedLoginPageOffersTheLoginURL(t *testing.T) {
	cat := MustCatalogue(t)
	c := catalogueCase(t, cat, "missing-inresponseto")
	w := MustCatalogueWorld(t, cat, filepath.Join(t.TempDir(), "gatehouse.db"), c)
	rec := w.PostACS(t, w.Node(t), cat.Enterprise, c, relayState, browserSecret)
	loginURL := cat.BaseURL + "/login/sso?enterprise_key=" + cat.Enterprise
	for _, want := range []string{
		`<label for="login-url">Your enterprise&#39;s SSO login URL</label>`,
		`id="login-url" value="` + loginURL + `" readonly`,
		`data-copy="login-url"><span class="copy-label">Copy</span><span class="vh"> Your enterprise&#39;s SSO login URL</span>`,
	} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the page of an IdP-initiated login (%d) lacks %s", rec.Code, want)
		}
	}
}
