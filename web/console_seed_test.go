package web_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
	"github.com/gatehouse-sso/gatehouse/internal/idptest"
)

// TestSeedInTheBrowser walks through the seed document ("Setting up SSO
// with JIT provisioning") as an enterprise admin does, in Chromium and
// against SimpleSAMLphp, without the API: step 1, the groups and their
// permissions; step 2, the SSO connection, checked with Test SSO; step 3,
// the SSO login URL, which a user then logs in with.
func TestSeedInTheBrowser(t *testing.T) {
	// SimpleSAMLphp signs with the real clock, so Gatehouse runs on it too.
	s := MustConsoleSite(t, time.Now)
	ctx := context.Background()
	if err := s.Admin.CreateEnterprise(ctx, gatehouse.Operator, &gatehouse.Enterprise{Key: "acme", Name: "Acme Corp"}); err != nil {
		t.Fatal(err)
	}
	s.MustLocalUser(t, "root")
	if err := s.Admin.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", "root"); err != nil {
		t.Fatal(err)
	}
	idp := idptest.StartSimpleSAMLphp(t, []idptest.SP{{EntityID: s.URL + "/saml/acme", ACSURL: s.URL + "/saml/acme/acs"}}, idptest.SampleUsers())
	rootUI := s.MustBrowse(t, "root")

	// Step 1: the groups the IdP sends exist, with the right permissions.
	visit(t, rootUI, s, "/enterprises/acme", "#create-org-form")
	browsertest.Do(t, rootUI, chromedp.SetValue(chromedp.ID("org-name"), "Acme web"), chromedp.SetValue(chromedp.ID("org-key"), "acme-web"))
	click(t, rootUI, "#create-org-form button[type=submit]", "#create-group-form")
	for _, g := range []struct{ name, perm string }{{"Developers", "scan"}, {"Admins", "admin"}} {
		browsertest.Do(t, rootUI, chromedp.SetValue(chromedp.ID("group-name"), g.name),
			chromedp.Click(chromedp.CSS(`#create-group-form input[name=permissions][value=`+g.perm+`]`)))
		click(t, rootUI, "#create-group-form button[type=submit]", `#groups tr[data-group="`+g.name+`"]`)
	}
	browsertest.Screenshot(t, rootUI, "1-groups")
	dev := s.MustGroupID(t, "acme-web", "Developers")
	visit(t, rootUI, s, "/organizations/acme-web/permissions", "#permissions-grid")
	browsertest.Do(t, rootUI, chromedp.Click(chromedp.ID("perm-"+strconv.FormatInt(dev, 10)+"-provisioning")))
	click(t, rootUI, "#save-permissions", "#notice")
	browsertest.Screenshot(t, rootUI, "1-permissions")

	// Step 2: set up SSO from the IdP's metadata URL, and test it.
	visit(t, rootUI, s, "/enterprises/acme/sso", "#sso-form")
	browsertest.Do(t, rootUI, chromedp.Click(chromedp.CSS(`input[name=method][value=metadata_url]`)),
		chromedp.SetValue(chromedp.ID("metadata_url"), idp.MetadataURL))
	click(t, rootUI, "#save-sso", "#test-sso-button")
	browsertest.Screenshot(t, rootUI, "2-connected")

	mustTestSSO(t, rootUI, "alice", "alicepass")
	for _, g := range []string{"Developers", "Admins"} {
		if text(t, rootUI, `#matches tr[data-org="acme-web"] [data-matched="`+g+`"]`) != g {
			t.Errorf("Test SSO as alice does not show %s matched in acme-web", g)
		}
	}
	if got := text(t, rootUI, "#unmatched"); got != "Cloud Users" {
		t.Errorf("Test SSO as alice lists unmatched groups %q; want Cloud Users", got)
	}
	browsertest.Screenshot(t, rootUI, "2-test-alice")
	if users, err := s.Admin.ListUsers(ctx, gatehouse.Operator, admin.UserQuery{Enterprise: "acme"}); err != nil || len(users) != 0 {
		t.Errorf("after Test SSO, acme has users %v (%v); want none", users, err)
	}

	// bob's "developers" differs from Developers only by case: a near miss.
	bobTester := s.MustBrowse(t, "root")
	mustTestSSOFrom(t, bobTester, s, "bob", "bobpass")
	if got := text(t, bobTester, `[data-near-miss="developers"]`); !strings.Contains(got, "Developers") {
		t.Errorf("Test SSO as bob shows near miss %q; want developers next to Developers", got)
	}
	if text(t, bobTester, "#no-match") == "" {
		t.Errorf("Test SSO as bob does not say that no group matches")
	}
	browsertest.Screenshot(t, bobTester, "2-test-bob")

	// Step 3: the SSO login URL, copied from its field, logs alice in.
	visit(t, rootUI, s, "/enterprises/acme/sso", "#sso-login-url")
	loginURL := browsertest.Value(t, rootUI, "#"+browsertest.Attribute(t, rootUI, `button[data-copy="sso-login-url"]`, "data-copy"))
	alice := browsertest.New(t)
	leave(t, alice, chromedp.Navigate(loginURL), "#username")
	browsertest.Do(t, alice, chromedp.SendKeys(chromedp.ID("username"), "alice"), chromedp.SendKeys(chromedp.ID("password"), "alicepass"))
	click(t, alice, "#submit_button", `tr[data-org="acme-web"]`)
	var groups []string
	for _, g := range []string{"Members", "Developers", "Admins"} {
		if text(t, alice, `tr[data-org="acme-web"] [data-group="`+g+`"]`) == g {
			groups = append(groups, g)
		}
	}
	if !slices.Equal(groups, []string{"Members", "Developers", "Admins"}) {
		t.Errorf("alice's groups in acme-web after her first login = %v; want Members, Developers, Admins", groups)
	}
	browsertest.Screenshot(t, alice, "3-alice-logged-in")

	visit(t, rootUI, s, "/enterprises/acme/sso", "#attempts")
	if got := text(t, rootUI, "#attempts tbody tr"); !strings.Contains(got, "Logged in") {
		t.Errorf("the last SSO attempt reads %q; want alice's login", got)
	}
	browsertest.Screenshot(t, rootUI, "3-attempts")
}

// mustTestSSO runs Test SSO from the SSO page the browser of ctx shows,
// signing username in at SimpleSAMLphp, and waits for the report.
func mustTestSSO(tb testing.TB, ctx context.Context, username, password string) {
	tb.Helper()
	leave(tb, ctx, chromedp.Click(chromedp.ID("test-sso-button")), "#username, #verdict")
	if browsertest.Eval[bool](tb, ctx, `document.querySelector("#username") !== null`) {
		browsertest.Do(tb, ctx, chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), password))
		click(tb, ctx, "#submit_button", "#verdict")
	}
	if got := browsertest.Attribute(tb, ctx, "#verdict", "data-verdict"); got != "ok" {
		tb.Errorf("Test SSO as %s: verdict %q (%s); want ok", username, got, text(tb, ctx, "#refusal"))
	}
}

// mustTestSSOFrom opens the SSO page of acme, then runs mustTestSSO.
func mustTestSSOFrom(tb testing.TB, ctx context.Context, s *consoleSite, username, password string) {
	tb.Helper()
	visit(tb, ctx, s, "/enterprises/acme/sso", "#test-sso-button")
	mustTestSSO(tb, ctx, username, password)
}
