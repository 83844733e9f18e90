package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
	"github.com/gatehouse-sso/gatehouse/store"
)

// MustBrowse starts a Chromium that accepts every confirmation dialog
// (data-confirm) and signs login in through the login page.
func (s *consoleSite) MustBrowse(tb testing.TB, login string) context.Context {
	tb.Helper()
	ctx := browsertest.New(tb)
	acceptDialogs(ctx)
	browsertest.Do(tb, ctx,
		chromedp.Navigate(s.URL+"/login"),
		chromedp.SetValue(chromedp.ID("login"), login),
		chromedp.SetValue(chromedp.ID("password"), rootPassword),
	)
	click(tb, ctx, `form[action="/login/local"] button[type=submit]`, `nav[aria-label=Main]`)
	return ctx
}

// acceptDialogs accepts every JavaScript dialog the tab of ctx opens, as
// a person who confirms.
func acceptDialogs(ctx context.Context) {
	opening := chromedp.Events(ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for _, err := range opening {
			if err != nil {
				return
			}
			go chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
				_, err := cdp.Call(ctx, t, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: true})
				return err
			}))
		}
	}()
}

// visit opens path and waits until sel is visible.
func visit(tb testing.TB, ctx context.Context, s *consoleSite, path, sel string) {
	tb.Helper()
	browsertest.Do(tb, ctx, chromedp.Navigate(s.URL+path), chromedp.WaitVisible(chromedp.CSS(sel)))
}

// leave runs action, which leaves the current page, and waits until the
// next page has an element matching sel. The page left is marked first,
// so that the wait cannot match it.
func leave(tb testing.TB, ctx context.Context, action chromedp.Action[chromedp.Void], sel string) {
	tb.Helper()
	q, _ := json.Marshal(sel)
	ready := fmt.Sprintf(`window.ghLeft !== true && document.readyState === "complete" && document.querySelector(%s) !== null`, q)
	browsertest.Do(tb, ctx, chromedp.Evaluate[chromedp.Void](`window.ghLeft = true`), action)
	deadline := time.Now().Add(browsertest.StepTimeout)
	for time.Now().Before(deadline) {
		// Evaluating fails between two pages: try again.
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](ready)); err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("no page with %s within %v; the browser shows %q", sel, browsertest.StepTimeout, browsertest.Eval[string](tb, ctx, "location.href"))
}

// click clicks the element sel, which leaves the page, and waits for want.
func click(tb testing.TB, ctx context.Context, sel, want string) {
	tb.Helper()
	leave(tb, ctx, chromedp.Click(chromedp.CSS(sel)), want)
}

// text returns the text of the element sel of the current page.
func text(tb testing.TB, ctx context.Context, sel string) string {
	tb.Helper()
	q, _ := json.Marshal(sel)
	return browsertest.Eval[string](tb, ctx, fmt.Sprintf(`document.querySelector(%s)?.innerText ?? ""`, q))
}

// mustPopulate fills acme with what the pages show: an SSO connection,
// SSO users in synced and hand-added groups, one of them deactivated,
// and tokens.
func (s *consoleSite) mustPopulate(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	s.MustConnect(tb)
	alice, bob := s.MustSSOUser(tb, "alice-x1y2"), s.MustSSOUser(tb, "bob-k3m4")
	add := func(u *gatehouse.User, org, group, source string) {
		tb.Helper()
		id := s.MustGroupID(tb, org, group)
		err := s.Store.Tx(ctx, func(tx store.Tx) error {
			o, err := tx.Organization(org)
			if err != nil {
				return err
			}
			return tx.AddMembership(&gatehouse.Membership{UserID: u.ID, GroupID: id, OrganizationID: o.ID, Source: source, CreatedAt: testNow})
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	add(alice, "acme-web", "Developers", gatehouse.SourceSync)
	add(alice, "acme-web", "Admins", gatehouse.SourceSync)
	add(alice, "acme-data", "Developers", gatehouse.SourceSync)
	add(bob, "acme-web", "Developers", gatehouse.SourceManual)
	off := false
	if _, err := s.Admin.UpdateUser(ctx, gatehouse.Operator, bob.Login, admin.UserUpdate{Active: &off}); err != nil {
		tb.Fatal(err)
	}
}

// A shot is a page to screenshot: its name, path, and an element that
// shows it has loaded.
type shot struct{ name, path, sel string }

// shootAll screenshots each page of shots in the browser of ctx.
func shootAll(tb testing.TB, ctx context.Context, s *consoleSite, shots []shot) {
	tb.Helper()
	for _, p := range shots {
		visit(tb, ctx, s, p.path, p.sel)
		browsertest.Screenshot(tb, ctx, p.name)
	}
}

// TestConsoleScreenshots screenshots every page, signed out and signed
// in, for people to review; each page must show its main element.
func TestConsoleScreenshots(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.mustPopulate(t)
	dev := strconv.FormatInt(s.MustGroupID(t, "acme-web", "Developers"), 10)
	anon := browsertest.New(t)
	shootAll(t, anon, s, []shot{
		{"login", "/login", "#enterprise_key"},
		{"login-without-key", "/login/sso", "#enterprise_key"},
		{"unknown-enterprise", "/login/sso?enterprise_key=nosuch", "h1"},
		{"not-found", "/nosuch", "h1"},
		{"account-deleted", "/account/deleted", "h1"},
	})
	// A response the ACS refuses, posted as an IdP's page would.
	leave(t, anon, chromedp.Evaluate[chromedp.Void](`(() => { const f = document.createElement("form"); f.method = "post"; f.action = "/saml/acme/acs";
		const i = document.createElement("input"); i.name = "SAMLResponse"; i.value = "not a response"; f.append(i); document.body.append(f); f.submit(); })()`), "[data-reason]")
	browsertest.Screenshot(t, anon, "sso-refused")
	ctx := s.MustBrowse(t, "root")
	shootAll(t, ctx, s, []shot{
		{"organizations", "/organizations", "h1"},
		{"account", "/account", "#profile"},
		{"account-security", "/account/security", "#create-token-form"},
		{"enterprise-organizations", "/enterprises/acme", "#organizations"},
		{"enterprise-sso", "/enterprises/acme/sso", "#sso-login-url"},
		{"enterprise-users", "/enterprises/acme/users", "#users"},
		{"enterprise-settings", "/enterprises/acme/settings", "#admins"},
		{"enterprise-audit", "/enterprises/acme/audit", "#events"},
		{"org-groups", "/organizations/acme-web/groups", "#groups"},
		{"org-group", "/organizations/acme-web/groups/" + dev, "#group-members"},
		{"org-permissions", "/organizations/acme-web/permissions", "#permissions-grid"},
		{"org-members", "/organizations/acme-web/members", "#members"},
		{"org-projects", "/organizations/acme-web/projects", "#projects"},
		{"org-tokens", "/organizations/acme-web/tokens", "#create-token-form"},
		{"enterprise-not-found", "/enterprises/nosuch", "h1"},
	})
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS("#admin-menu summary")), chromedp.WaitVisible(chromedp.CSS(".menu-panel")))
	browsertest.Screenshot(t, ctx, "admin-menu")
}

func TestBrowserCopiesTheSSOLoginURL(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustConnect(t)
	ctx := s.MustBrowse(t, "root")
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, Origin: s.URL}); err != nil {
			t.Fatalf("grant %s: %v", name, err)
		}
	}
	visit(t, ctx, s, "/enterprises/acme/sso", "#sso-login-url")
	want := s.URL + "/login/sso?enterprise_key=acme"
	// The button names the field it copies: read that field, not a guess.
	field := browsertest.Attribute(t, ctx, `#saml button[data-copy="sso-login-url"]`, "data-copy")
	if got := browsertest.Value(t, ctx, "#"+field); got != want {
		t.Errorf("the field the login URL's copy button copies holds %q; want %q", got, want)
	}
	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`button[data-copy="sso-login-url"]`)),
		chromedp.WaitVisible(chromedp.Search(`//button[@data-copy="sso-login-url"]/span[text()="Copied"]`)))
	copied, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("read the clipboard: %v", err)
	}
	if copied != want {
		t.Errorf("the clipboard holds %q after Copy; want the SSO login URL %q", copied, want)
	}
	if got := text(t, ctx, "#live"); got != "Copied to the clipboard." {
		t.Errorf("screen readers are told %q; want the copy announced", got)
	}
	browsertest.Screenshot(t, ctx, "copied")

	// The URL pasted into invitations starts a login at the IdP.
	if p := s.NewClient(t).get(t, strings.TrimPrefix(copied, s.URL)); p.Status != http.StatusFound || !strings.HasPrefix(p.Location, "https://idp.example.com/sso?SAMLRequest=") {
		t.Errorf("the copied login URL answers %d to %q; want a redirect to the IdP's SSO URL with an AuthnRequest", p.Status, p.Location)
	}
}

func TestBrowserTokenIsShownOnceThenOnlyItsName(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	ctx := s.MustBrowse(t, "root")
	visit(t, ctx, s, "/account/security", "#create-token-form")
	browsertest.Do(t, ctx, chromedp.SetValue(chromedp.ID("token-name"), "laptop CLI"))
	click(t, ctx, `#create-token-form button[type=submit]`, "#new-token-box")
	secret := browsertest.Value(t, ctx, "#new-token")
	if !strings.HasPrefix(secret, "gat_") {
		t.Fatalf("the new token's field holds %q; want a gat_ token", secret)
	}
	if got := browsertest.Attribute(t, ctx, "#new-token-box button[data-copy]", "data-copy"); got != "new-token" {
		t.Errorf("the copy button copies #%s; want #new-token", got)
	}
	if _, err := s.Tokens.Authenticate(context.Background(), secret, testClient()); err != nil {
		t.Errorf("the token shown does not authenticate: %v", err)
	}
	browsertest.Screenshot(t, ctx, "shown")

	leave(t, ctx, chromedp.Reload(), "#tokens")
	if strings.Contains(browsertest.Eval[string](t, ctx, "document.documentElement.outerHTML"), secret) {
		t.Errorf("the page shows the secret again after a reload")
	}
	if got := text(t, ctx, `#tokens tr[data-token="laptop CLI"] th`); got != "laptop CLI" {
		t.Errorf("the token list shows %q; want the name laptop CLI", got)
	}
	browsertest.Screenshot(t, ctx, "listed")
	click(t, ctx, `#tokens tr[data-token="laptop CLI"] button[type=submit]`, "#notice")
	if _, err := s.Tokens.Authenticate(context.Background(), secret, testClient()); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
		t.Errorf("the revoked token authenticates: %v", err)
	}
}

func TestBrowserPermissionsGridSaves(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	if err := s.Admin.AddGroupMember(context.Background(), gatehouse.Operator, s.MustGroupID(t, "acme-web", "Owners"), "root"); err != nil {
		t.Fatal(err)
	}
	ctx := s.MustBrowse(t, "root")
	dev := strconv.FormatInt(s.MustGroupID(t, "acme-web", "Developers"), 10)
	visit(t, ctx, s, "/organizations/acme-web/permissions", "#permissions-grid")
	browsertest.Do(t, ctx,
		chromedp.Click(chromedp.ID("perm-"+dev+"-provisioning")),
		chromedp.Click(chromedp.ID("perm-"+dev+"-scan")),
	)
	click(t, ctx, "#save-permissions", "#notice")
	g, _, err := s.Admin.Group(context.Background(), gatehouse.Operator, s.MustGroupID(t, "acme-web", "Developers"))
	if err != nil || !cmp.Equal(g.Permissions, []gatehouse.Permission{gatehouse.PermissionProvisioning}) {
		t.Errorf("Developers after saving the grid = %v, %v; want Create Projects only", g.Permissions, err)
	}
	if !browsertest.Eval[bool](t, ctx, `document.getElementById("perm-`+dev+`-provisioning").checked && !document.getElementById("perm-`+dev+`-scan").checked`) {
		t.Errorf("the grid after saving does not show the saved permissions")
	}
	browsertest.Screenshot(t, ctx, "saved")
}

func TestBrowserDeleteAccountIsRefusedToTheLastAdmin(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustLocalUser(t, "owner")
	if err := s.Admin.AddGroupMember(context.Background(), gatehouse.Operator, s.MustGroupID(t, "acme-data", "Owners"), "owner"); err != nil {
		t.Fatal(err)
	}
	ctx := s.MustBrowse(t, "owner")
	visit(t, ctx, s, "/account/security", "#delete-form")
	browsertest.Do(t, ctx, chromedp.Click(chromedp.ID("delete-confirm")))
	click(t, ctx, "#delete-form button[type=submit]", "#form-error")
	if got, want := text(t, ctx, "#form-error"), `That did not work. User "owner" is the last administrator of organization "acme-data": give another user the Administer Organization permission first.`; got != want {
		t.Errorf("deleting the last admin's account shows %q; want %q", got, want)
	}
	browsertest.Screenshot(t, ctx, "refused")
	if _, err := s.Admin.User(context.Background(), gatehouse.Operator, "owner"); err != nil {
		t.Errorf("owner after the refusal: %v; want the account kept", err)
	}
}

// TestBrowserMainActions does the main action of each page that the other
// browser tests leave out, with the keyboard's and mouse's path through
// the forms, and checks the page that follows.
func TestBrowserMainActions(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.mustPopulate(t)
	ctx := s.MustBrowse(t, "root")
	analysts := "/organizations/acme-data/groups/" + strconv.FormatInt(s.MustGroupID(t, "acme-data", "Analysts"), 10)
	steps := []struct {
		name, path string
		// do fills the form; submit is the button that sends it.
		do     []chromedp.Action[chromedp.Void]
		submit string
		// want is the text the next page's notice holds.
		want string
	}{
		{"create-organization", "/enterprises/acme", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.ID("org-name"), "Acme mobile"), chromedp.SetValue(chromedp.ID("org-key"), "acme-mobile")},
			"#create-org-form button", "Organization Acme mobile was created"},
		{"create-group", "/organizations/acme-web/groups", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.ID("group-name"), "Ops"), chromedp.Click(chromedp.CSS(`#create-group-form input[value=scan]`))},
			"#create-group-form button", "Group Ops was created"},
		{"add-sso-member", analysts, []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("member-login"), "alice-x1y2")},
			"#add-member-form button", "Beware: alice-x1y2 signs in with SSO"},
		{"create-project", "/organizations/acme-web/projects", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.ID("project-name"), "Billing"), chromedp.SetValue(chromedp.ID("project-key"), "billing")},
			"#create-project-form button", "Project Billing was created"},
		{"create-org-token", "/organizations/acme-web/tokens", []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.ID("token-name"), "ci"), chromedp.Click(chromedp.CSS(`input[name=scope][value=projects]`)),
			chromedp.Click(chromedp.CSS(`input[name=projects][value=acme-web-main]`))},
			"#create-token-form button", "Token ci was generated"},
		{"deactivate-user", "/enterprises/acme/users", nil, `tr[data-user="alice-x1y2"] button`, "User alice-x1y2 was deactivated"},
		{"save-ip-allow-list", "/enterprises/acme/settings", []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("ip_allow_list"), "127.0.0.1\n10.0.0.0/8")},
			"#ip-form button", "allowed only from 127.0.0.1/32, 10.0.0.0/8"},
		{"save-profile", "/account", []chromedp.Action[chromedp.Void]{chromedp.SetValue(chromedp.ID("email"), "root@corp.example")},
			"#profile-form button", "Your profile was saved."},
	}
	for _, st := range steps {
		visit(t, ctx, s, st.path, st.submit)
		browsertest.Do(t, ctx, st.do...)
		click(t, ctx, st.submit, "#notice, #form-error")
		if got := text(t, ctx, "#notice"); !strings.Contains(got, st.want) {
			t.Errorf("%s: the next page says %q (%s); want %q", st.name, got, text(t, ctx, "#form-error"), st.want)
		}
		browsertest.Screenshot(t, ctx, st.name)
	}
	if got := browsertest.Value(t, ctx, "#email"); got != "root@corp.example" {
		t.Errorf("the profile shows email %q after saving", got)
	}

	visit(t, ctx, s, "/enterprises/acme/audit", "#audit-filter")
	browsertest.Do(t, ctx, chromedp.SetValue(chromedp.ID("type"), "user.deactivate"), chromedp.SetValue(chromedp.ID("actor"), "user:root"))
	click(t, ctx, "#audit-filter button", "#events, .empty")
	if got := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll("#events tbody td:nth-child(4)")].map(td => td.innerText)`); !cmp.Equal(got, []string{"user:alice-x1y2"}) {
		t.Errorf("the audit log filtered by type and actor lists targets %q; want alice's deactivation only", got)
	}
	browsertest.Screenshot(t, ctx, "filter-audit-log")
}
