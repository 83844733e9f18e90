package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
	"github.com/gatehouse-sso/gatehouse/internal/idptest"
)

// acmeGroups are the groups of acme's two organizations, besides Members
// and Owners: group sync matches the IdP's group names against them.
var acmeGroups = []struct {
	org, name   string
	permissions []string
}{
	{"acme-web", "Developers", []string{"scan"}},
	{"acme-web", "Admins", []string{"admin"}},
	{"acme-web", "QA", []string{"scan"}},
	{"acme-data", "Developers", []string{"scan", "provisioning"}},
	{"acme-data", "Analysts", []string{"scan"}},
}

// aliceOrgs is what alice (IdP groups Developers, Admins, Cloud Users) has in acme.
var aliceOrgs = map[string]string{
	"acme-web":  "groups Admins,Developers,Members; permissions admin,scan",
	"acme-data": "groups Developers,Members; permissions provisioning,scan",
}

// An acme is the enterprise of the SSO tests, running: a gatehouse server
// with enterprise acme and its organizations acme-web and acme-data, and a
// SimpleSAMLphp IdP that knows acme's SP and users, connected through the
// SSO connection set up from the IdP's metadata URL.
type acme struct {
	*Server
	IdP *idptest.IdP
}

// MustAcme starts an acme on database db, whose IdP has the sample users
// (alice, bob, carol, dave) and the users given.
func MustAcme(tb testing.TB, db string, users ...idptest.User) *acme {
	tb.Helper()
	a := &acme{Server: MustServe(tb, db)}
	a.MustAPI(tb, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme Corp"}, 201, nil)
	for _, o := range []struct{ key, name string }{{"acme-web", "Acme Web"}, {"acme-data", "Acme Data"}} {
		a.MustAPI(tb, "POST", "/api/v1/enterprises/acme/organizations", map[string]any{"key": o.key, "name": o.name}, 201, nil)
	}
	for _, g := range acmeGroups {
		a.MustAPI(tb, "POST", "/api/v1/organizations/"+g.org+"/groups", map[string]any{"name": g.name, "permissions": g.permissions}, 201, nil)
	}
	sp := idptest.SP{EntityID: a.URL + "/saml/acme", ACSURL: a.URL + "/saml/acme/acs"}
	a.IdP = idptest.StartSimpleSAMLphp(tb, []idptest.SP{sp}, append(idptest.SampleUsers(), users...))
	a.MustPutSSO(tb, "")
	return a
}

// MustPutSSO sets up acme's SSO connection from the IdP's metadata URL with
// the attribute preset given ("" for the default), and checks that the SP
// values Gatehouse shows are the ones the IdP was given.
func (a *acme) MustPutSSO(tb testing.TB, preset string) {
	tb.Helper()
	body := map[string]any{"metadata_url": a.IdP.MetadataURL}
	if preset != "" {
		body["attributes"] = map[string]any{"preset": preset}
	}
	var got struct {
		IdPEntityID string `json:"idp_entity_id"`
		SP          struct {
			EntityID string `json:"entity_id"`
			ACSURL   string `json:"acs_url"`
			LoginURL string `json:"login_url"`
		} `json:"sp"`
	}
	a.MustAPI(tb, "PUT", "/api/v1/enterprises/acme/sso", body, 200, &got)
	want := got
	want.IdPEntityID = a.IdP.EntityID
	want.SP.EntityID, want.SP.ACSURL, want.SP.LoginURL = a.URL+"/saml/acme", a.URL+"/saml/acme/acs", a.LoginURL()
	if got != want {
		tb.Fatalf("PUT /api/v1/enterprises/acme/sso = %+v; want %+v", got, want)
	}
}

// LoginURL is acme's SSO login URL, the one its users are sent.
func (a *acme) LoginURL() string { return a.URL + "/login/sso?enterprise_key=acme" }

// gatehousePage matches the heading of every Gatehouse page, and of no
// SimpleSAMLphp page.
const gatehousePage = "main#main h1"

// MustLogIn logs username in with the browser of ctx, from the SSO login
// URL through SimpleSAMLphp's login form (which the IdP skips when the
// browser holds an IdP session), and waits for the Gatehouse page the
// login ends on: the organizations, or a refusal.
func (a *acme) MustLogIn(tb testing.TB, ctx context.Context, username, password string) {
	tb.Helper()
	mustLogInFrom(tb, ctx, chromedp.Navigate(a.LoginURL()), username, password)
}

// mustLogInFrom runs start, which leads the browser to the IdP, logs
// username in there if the IdP shows its login form, and waits for the
// Gatehouse page the IdP's answer leads to.
func mustLogInFrom(tb testing.TB, ctx context.Context, start chromedp.Action[chromedp.Void], username, password string) {
	tb.Helper()
	mustLeavePage(tb, ctx, start, "#username, "+gatehousePage)
	if browsertest.Eval[bool](tb, ctx, `document.querySelector("#username") !== null`) {
		browsertest.Do(tb, ctx,
			chromedp.SendKeys(chromedp.CSS("#username"), username),
			chromedp.SendKeys(chromedp.CSS("#password"), password),
		)
		mustLeavePage(tb, ctx, chromedp.Click(chromedp.CSS("#submit_button")), gatehousePage)
	}
}

// MustLogOut clicks "Log out" and waits for the login page.
func MustLogOut(tb testing.TB, ctx context.Context) {
	tb.Helper()
	mustLeavePage(tb, ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type=submit]`)), "#enterprise_key")
}

// mustLeavePage runs action, which leaves the current page, and waits
// until another page shows an element matching selector. A plain
// WaitVisible after a click could match the page being left, so the page
// is marked first and the wait skips marked pages.
func mustLeavePage(tb testing.TB, ctx context.Context, action chromedp.Action[chromedp.Void], selector string) {
	tb.Helper()
	sel, _ := json.Marshal(selector)
	ready := fmt.Sprintf(`window.e2eLeft !== true && document.readyState === "complete" && document.querySelector(%s) !== null`, sel)
	browsertest.Do(tb, ctx, chromedp.Evaluate[chromedp.Void](`window.e2eLeft = true`), action)
	deadline := time.Now().Add(browsertest.StepTimeout)
	for time.Now().Before(deadline) {
		// Evaluating fails while the browser is between two pages: try again.
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](ready)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("browsertest: no new page with %s within %v; the browser shows %q", selector, browsertest.StepTimeout,
		browsertest.Eval[string](tb, ctx, "location.href"))
}

// pageText returns the visible text of the first element of the current
// page that matches selector, and fails tb if there is none. Unlike
// browsertest.Text it does not wait for the element: the page has loaded,
// and an element that is missing fails the test at once.
func pageText(tb testing.TB, ctx context.Context, selector string) string {
	tb.Helper()
	sel, _ := json.Marshal(selector)
	type found struct {
		Found bool   `json:"found"`
		Text  string `json:"text"`
	}
	got := browsertest.Eval[found](tb, ctx, fmt.Sprintf(
		`(e => ({found: e !== null, text: e === null ? "" : e.innerText}))(document.querySelector(%s))`, sel))
	if !got.Found {
		tb.Fatalf("the page %q has no %s", browsertest.Eval[string](tb, ctx, "document.title"), selector)
	}
	return got.Text
}

// refusalReason returns the reason of the refusal page the browser shows,
// or "" on any other page.
func refusalReason(tb testing.TB, ctx context.Context) string {
	tb.Helper()
	return browsertest.Eval[string](tb, ctx, `document.querySelector("[data-reason]")?.dataset.reason ?? ""`)
}

// pageOrganizations returns the rows of the organizations page: each
// organization's key and the names of the user's group tags, sorted.
func pageOrganizations(tb testing.TB, ctx context.Context) map[string][]string {
	tb.Helper()
	rows := browsertest.Eval[map[string][]string](tb, ctx, `Object.fromEntries(
		[...document.querySelectorAll("tr[data-org]")].map(tr => [tr.dataset.org,
			[...tr.querySelectorAll("span[data-group]")].map(s => s.dataset.group)]))`)
	for _, groups := range rows {
		slices.Sort(groups)
	}
	return rows
}

// mustOrganizations returns the signed-in user's organizations as GET
// /api/v1/me shows them (see [meJSON.summary]), and fails tb unless the
// organizations page the browser shows lists the same organizations with
// the same groups.
func mustOrganizations(tb testing.TB, ctx context.Context) map[string]string {
	tb.Helper()
	me := mustBrowserMe(tb, ctx)
	fromAPI := map[string][]string{}
	for _, o := range me.Organizations {
		fromAPI[o.Key] = []string{}
		for _, g := range o.Groups {
			fromAPI[o.Key] = append(fromAPI[o.Key], g.Name)
		}
		slices.Sort(fromAPI[o.Key])
	}
	if diff := cmp.Diff(fromAPI, pageOrganizations(tb, ctx)); diff != "" {
		tb.Errorf("the organizations page and GET /api/v1/me disagree (-api +page):\n%s", diff)
	}
	return me.summary()
}

// browserMe answers GET /api/v1/me with the session of the browser of ctx,
// as the page's own script would: its status, and the profile when 200.
func browserMe(tb testing.TB, ctx context.Context) (int, meJSON) {
	tb.Helper()
	type answer struct {
		Status int    `json:"status"`
		Body   string `json:"body"`
	}
	ctx, cancel := context.WithTimeout(ctx, browsertest.StepTimeout)
	defer cancel()
	ans, err := chromedp.Run(ctx, chromedp.Evaluate[answer](
		`fetch("/api/v1/me").then(async r => ({status: r.status, body: await r.text()}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.Fatalf("fetch /api/v1/me in the browser: %v", err)
	}
	var me meJSON
	if ans.Status == http.StatusOK {
		if err := json.Unmarshal([]byte(ans.Body), &me); err != nil {
			tb.Fatalf("GET /api/v1/me: decode %s: %v", ans.Body, err)
		}
	}
	return ans.Status, me
}

// mustBrowserMe returns the profile of the browser's user, failing tb
// unless GET /api/v1/me answers 200 OK.
func mustBrowserMe(tb testing.TB, ctx context.Context) meJSON {
	tb.Helper()
	status, me := browserMe(tb, ctx)
	if status != http.StatusOK {
		tb.Fatalf("GET /api/v1/me with the browser's session = %d; want 200", status)
	}
	return me
}

// An auditEvent is one event of GET /api/v1/audit-events or of the SSO attempts.
type auditEvent struct {
	Actor, Type, Target string
	Details             map[string]any
}

// MustAudit returns acme's audit events about target (all when ""), newest first.
func (a *acme) MustAudit(tb testing.TB, target string) []auditEvent {
	tb.Helper()
	var evs []auditEvent
	a.MustAPI(tb, "GET", "/api/v1/audit-events?enterprise=acme&limit=500", nil, 200, &evs)
	return slices.DeleteFunc(evs, func(e auditEvent) bool { return target != "" && e.Target != target })
}

// MustAttempts returns the reasons of acme's latest refused SSO attempts, newest first.
func (a *acme) MustAttempts(tb testing.TB) []string {
	tb.Helper()
	var evs []auditEvent
	a.MustAPI(tb, "GET", "/api/v1/enterprises/acme/sso/attempts", nil, 200, &evs)
	var reasons []string
	for _, e := range evs {
		if e.Type == "authentication.login_failed" {
			reasons = append(reasons, fmt.Sprint(e.Details["reason"]))
		}
	}
	return reasons
}

// MustWarning returns the message of acme's SSO setup warning with code, or "".
func (a *acme) MustWarning(tb testing.TB, code string) string {
	tb.Helper()
	var warnings []struct{ Code, Message string }
	a.MustAPI(tb, "GET", "/api/v1/enterprises/acme/sso/warnings", nil, 200, &warnings)
	for _, w := range warnings {
		if w.Code == code {
			return w.Message
		}
	}
	return ""
}

// MustGroupID returns the ID of the group name of organization org.
func (a *acme) MustGroupID(tb testing.TB, org, name string) int64 {
	tb.Helper()
	return apiGroupID(tb, a.Server, org, name)
}

// newClient returns an HTTP client with its own cookie jar, as a browser has.
func newClient(tb testing.TB) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

// postACS posts the IdP's answer to acsURL with client, without following
// the redirect, and returns the status, the Location and the body.
func postACS(tb testing.TB, client *http.Client, acsURL string, post idptest.ACSPost) (int, string, string) {
	tb.Helper()
	c := *client
	c.CheckRedirect = noRedirect
	resp, err := c.PostForm(acsURL, post.Form())
	if err != nil {
		tb.Fatalf("POST %s: %v", acsURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("POST %s: read the answer: %v", acsURL, err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// idpInitiatedURL is where SimpleSAMLphp starts an IdP-initiated login to the SP entityID.
func (a *acme) idpInitiatedURL(entityID string) string {
	return a.IdP.SSOURL + "?spentityid=" + url.QueryEscape(entityID)
}
