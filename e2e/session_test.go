package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
)

// The SSO issue, item 7: logging out ends the session.

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	a := MustAcme(t, sqliteDB(t))
	ctx := browsertest.New(t)
	a.MustLogIn(t, ctx, "alice", "alicepass")
	session := mustSessionCookie(t, ctx, a.URL)
	// SPEC §1: the session cookie is HttpOnly and SameSite=Lax, so that no
	// script and no other site's form carries it.
	if !session.HTTPOnly || session.SameSite != network.CookieSameSiteLax {
		t.Errorf("session cookie HttpOnly %v, SameSite %q; want HttpOnly, SameSite Lax", session.HTTPOnly, session.SameSite)
	}
	cookie := &http.Cookie{Name: session.Name, Value: session.Value}

	// A logout posted without the page's CSRF token, as another site could, is refused.
	if status, _ := sendWithCookie(t, "POST", a.URL+"/logout", "csrf=forged", cookie); status != http.StatusForbidden {
		t.Errorf("POST /logout without the CSRF token = %d; want 403", status)
	}
	if status, _ := browserMe(t, ctx); status != http.StatusOK {
		t.Errorf("GET /api/v1/me after a logout without CSRF token = %d; want 200: the session goes on", status)
	}

	MustLogOut(t, ctx)
	browsertest.Screenshot(t, ctx, "logged-out")
	browsertest.Do(t, ctx, chromedp.Navigate(a.URL+"/organizations"), chromedp.WaitVisible(chromedp.CSS("#enterprise_key")))
	if got := browsertest.Eval[string](t, ctx, "location.pathname"); got != "/login" {
		t.Errorf("/organizations after logout shows %s; want /login", got)
	}
	if status, _ := browserMe(t, ctx); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me after logout = %d; want 401", status)
	}

	// The login page, reached from /organizations, leads back there.
	browsertest.Do(t, ctx, chromedp.SendKeys(chromedp.CSS("#enterprise_key"), "acme"))
	mustLogInFrom(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/login/sso"] button[type=submit]`)), "alice", "alicepass")
	if got := browsertest.Eval[string](t, ctx, "location.pathname"); got != "/organizations" {
		t.Errorf("logging in again from the login page ends on %s; want /organizations", got)
	}
	if diff := cmp.Diff(aliceOrgs, mustOrganizations(t, ctx)); diff != "" {
		t.Errorf("alice's organizations after logging in again (-want +got):\n%s", diff)
	}

	// The server ended the first session: its cookie, sent again, opens nothing.
	for _, path := range []string{"/organizations", "/api/v1/me"} {
		if status, loc := sendWithCookie(t, "GET", a.URL+path, "", cookie); status != http.StatusUnauthorized && !strings.HasPrefix(loc, "/login") {
			t.Errorf("GET %s with the session cookie of before the logout = %d to %q; want 401 or a redirect to /login", path, status, loc)
		}
	}
}
