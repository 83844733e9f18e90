package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
	"github.com/gatehouse-sso/gatehouse/internal/idptest"
)

// The SSO issue, item 7: responses Gatehouse did not ask for, or already
// used, are refused.

func TestIdPInitiatedLoginIsRefused(t *testing.T) {
	t.Parallel()
	a := MustAcme(t, sqliteDB(t))
	ctx := browsertest.New(t)
	mustLogInFrom(t, ctx, chromedp.Navigate(a.idpInitiatedURL(a.URL+"/saml/acme")), "alice", "alicepass")
	browsertest.Screenshot(t, ctx, "unsolicited")
	if got := refusalReason(t, ctx); got != "unsolicited" {
		t.Fatalf("refusal page reason = %q; want unsolicited", got)
	}
	if got := pageText(t, ctx, "[data-reason]"); !strings.Contains(got, "IdP-initiated") {
		t.Errorf("refusal page says %q; want it to name the IdP-initiated login", got)
	}
	if got := browsertest.Value(t, ctx, "#login-url"); got != a.LoginURL() {
		t.Errorf("SSO login URL shown = %q; want %q", got, a.LoginURL())
	}
	if got := browsertest.Attribute(t, ctx, "[data-reason] a.button", "href"); got != a.LoginURL() {
		t.Errorf("login link = %q; want %q", got, a.LoginURL())
	}
	if got := a.MustAttempts(t); len(got) == 0 || got[0] != "unsolicited" {
		t.Errorf("refused SSO attempts, newest first = %v; want unsolicited first", got)
	}
	if status, _ := browserMe(t, ctx); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me after the refusal = %d; want 401: no session", status)
	}

	// The link the page gives logs alice in, SP-initiated (her IdP session skips the form).
	mustLogInFrom(t, ctx, chromedp.Click(chromedp.CSS("[data-reason] a.button")), "alice", "alicepass")
	if diff := cmp.Diff(aliceOrgs, mustOrganizations(t, ctx)); diff != "" {
		t.Errorf("GET /api/v1/me after following the link (-want +got):\n%s", diff)
	}
}

var dataReason = regexp.MustCompile(`data-reason="([a-z_]+)"`)

func TestReplayedResponseIsRefusedOnEveryNode(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			a := MustAcme(t, eng.db(t))
			// Another node of the same cluster: the same database and public URL.
			node2 := MustServe(t, a.DB, "--base-url", a.URL)

			// node2 accepts a fresh login, so its refusal below is about the replay.
			bobClient := newClient(t)
			fresh := a.IdP.LogIn(t, bobClient, node2.URL+"/login/sso?enterprise_key=acme", "bob", "bobpass")
			if status, loc, body := postACS(t, bobClient, node2.URL+"/saml/acme/acs", fresh); status != http.StatusSeeOther || loc != "/organizations" {
				t.Fatalf("node2 answered a fresh login with %d to %q; want 303 to /organizations\n%s", status, loc, body)
			}

			client := newClient(t)
			post := a.IdP.LogIn(t, client, a.LoginURL(), "alice", "alicepass")
			if post.URL != a.URL+"/saml/acme/acs" {
				t.Fatalf("the IdP posts to %s; want acme's ACS URL", post.URL)
			}
			if status, loc, body := postACS(t, client, post.URL, post); status != http.StatusSeeOther || loc != "/organizations" {
				t.Fatalf("first post of alice's response = %d to %q; want 303 to /organizations\n%s", status, loc, body)
			}
			for _, to := range []struct{ name, acs string }{{"the same node", post.URL}, {"another node", node2.URL + "/saml/acme/acs"}} {
				status, _, body := postACS(t, client, to.acs, post)
				m := dataReason.FindStringSubmatch(body)
				if status != http.StatusForbidden || m == nil || (m[1] != "replayed" && m[1] != "unknown_request") {
					t.Errorf("replay to %s = %d with reason %v; want 403, replayed or unknown_request\n%s", to.name, status, m, body)
				}
			}
			// Replayed from another browser, as by someone who captured it, it is refused with a page.
			ctx := browsertest.New(t)
			browsertest.Do(t, ctx, chromedp.Navigate(a.URL+"/login"))
			mustLeavePage(t, ctx, chromedp.Evaluate[chromedp.Void](submitFormJS(post.URL, post.Form())), gatehousePage)
			browsertest.Screenshot(t, ctx, "replayed")
			if got := refusalReason(t, ctx); !isReplayReason(got) {
				t.Errorf("replay from another browser: refusal page reason %q; want replayed or unknown_request", got)
			}
			if got := a.MustAttempts(t); len(got) < 3 || !isReplayReason(got[0]) || !isReplayReason(got[1]) || !isReplayReason(got[2]) {
				t.Errorf("refused SSO attempts, newest first = %v; want the three replays first", got)
			}
			var logins int
			for _, e := range a.MustAudit(t, "") {
				if e.Type == "authentication.user_login" {
					logins++
				}
			}
			if logins != 2 {
				t.Errorf("authentication.user_login events = %d; want 2 (bob's, and alice's first post)", logins)
			}
		})
	}
}

func isReplayReason(r string) bool { return r == "replayed" || r == "unknown_request" }

// submitFormJS is a script that posts fields to action with a form, as the
// IdP's answer page does.
func submitFormJS(action string, fields url.Values) string {
	a, _ := json.Marshal(action)
	f, _ := json.Marshal(fields)
	return fmt.Sprintf(`(() => {
		const form = Object.assign(document.createElement("form"), {method: "post", action: %s});
		for (const [name, values] of Object.entries(%s)) {
			form.append(Object.assign(document.createElement("input"), {type: "hidden", name, value: values[0]}));
		}
		document.body.append(form);
		form.submit();
	})()`, a, f)
}

func TestRefusedLoginsExplainWhatToDo(t *testing.T) {
	t.Parallel()
	nameless := idptest.NewUser("nameless", "", "nameless@example.com")
	delete(nameless.Attributes, idptest.AttrName)
	tests := []struct {
		name, user, password string
		// setup runs once alice has logged in a first time, as the admin.
		setup    func(t *testing.T, a *acme, aliceLogin string)
		reason   string
		mentions string
		// endsSessions says that setup ends alice's session at once.
		endsSessions bool
	}{
		{name: "a missing name attribute is named", user: "nameless", password: "nameless",
			reason: "missing_attribute", mentions: "Attribute 'name' is missing from the SAML response"},
		{name: "an address outside the IP allow list", user: "alice", password: "alicepass",
			setup: func(t *testing.T, a *acme, _ string) {
				a.MustAPI(t, "PATCH", "/api/v1/enterprises/acme", map[string]any{"ip_allow_list": []string{"192.0.2.0/24"}}, 200, nil)
			},
			reason: "ip_not_allowed", mentions: "127.0.0.1"},
		{name: "a deactivated user", user: "alice", password: "alicepass",
			setup: func(t *testing.T, a *acme, login string) {
				a.MustAPI(t, "PATCH", "/api/v1/users/"+login, map[string]any{"active": false}, 200, nil)
			},
			reason: "user_deactivated", mentions: "deactivated", endsSessions: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := MustAcme(t, sqliteDB(t), nameless)
			first := browsertest.New(t)
			a.MustLogIn(t, first, "alice", "alicepass")
			if tt.setup != nil {
				tt.setup(t, a, mustBrowserMe(t, first).User.Login)
			}
			if status, _ := browserMe(t, first); tt.endsSessions && status != http.StatusUnauthorized {
				t.Errorf("GET /api/v1/me with alice's session after the setup = %d; want 401: it ends at once", status)
			}
			ctx := browsertest.New(t)
			a.MustLogIn(t, ctx, tt.user, tt.password)
			browsertest.Screenshot(t, ctx, tt.reason)
			if got := refusalReason(t, ctx); got != tt.reason {
				t.Fatalf("refusal page reason = %q; want %s", got, tt.reason)
			}
			if got := pageText(t, ctx, "[data-reason]"); !strings.Contains(got, tt.mentions) {
				t.Errorf("refusal page says %q; want it to mention %q", got, tt.mentions)
			}
			if got := a.MustAttempts(t); len(got) == 0 || got[0] != tt.reason {
				t.Errorf("refused SSO attempts, newest first = %v; want %s first", got, tt.reason)
			}
		})
	}
}
