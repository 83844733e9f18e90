package devidp_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/crewjam/saml"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
)

// TestBrowserLogin signs alice in with Chromium: the SP's /start redirects to the IdP,
// the user clicks "Sign in as alice", and the answer page posts the Response to the SP's
// ACS, which validates it and greets the user. The screenshots are for review.
func TestBrowserLogin(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var requestIDs []string
	e.mux.HandleFunc("GET /saml/acme/start", func(w http.ResponseWriter, r *http.Request) {
		req, err := e.sp.MakeAuthenticationRequest(e.idp.SSOURL(), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		redirect, err := req.Redirect("", e.sp)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		mu.Lock()
		requestIDs = append(requestIDs, req.ID)
		mu.Unlock()
		http.Redirect(w, r, redirect.String(), http.StatusFound)
	})
	e.mux.HandleFunc("POST /saml/acme/acs", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		ids := append([]string(nil), requestIDs...)
		mu.Unlock()
		assertion, err := e.sp.ParseResponse(r, ids)
		if err != nil {
			http.Error(w, reason(err).Error(), http.StatusForbidden)
			return
		}
		groups := attributes(assertion)["groups"]
		fmt.Fprintf(w, `<p>Signed in as <b id="nameid">%s</b> with groups <span id="groups">%s</span></p>`,
			assertion.Subject.NameID.Value, strings.Join(groups, ","))
	})

	ctx := browsertest.New(t)
	browsertest.Do(t, ctx, chromedp.Navigate(e.srv.URL+"/saml/acme/start"), chromedp.WaitVisible(chromedp.ID("login-as-alice")))
	browsertest.Screenshot(t, ctx, "login-page")
	browsertest.Do(t, ctx, chromedp.Click(chromedp.ID("login-as-alice")))

	if got := browsertest.Text(t, ctx, "#nameid"); got != "alice@example.com" {
		t.Errorf("signed in as %q; want alice@example.com", got)
	}
	if got := browsertest.Text(t, ctx, "#groups"); got != "Developers,Admins" {
		t.Errorf("groups = %q; want Developers,Admins", got)
	}
	browsertest.Screenshot(t, ctx, "signed-in")

	browsertest.Do(t, ctx, chromedp.Navigate(e.srv.URL+"/devidp/"))
	browsertest.Screenshot(t, ctx, "about-page")
}
