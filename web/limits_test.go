package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/web"
)

// A clock is a settable web clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// twoAMinute allows two requests, then one every 30 seconds.
var twoAMinute = web.Limit{Rate: rate.Limit(2.0 / 60), Burst: 2}

// limitRequest is one request of a rate-limit test.
type limitRequest struct {
	method, path, client string
	form                 url.Values
	cookies              map[string]string
}

func (lr limitRequest) do(node http.Handler, base string, accept string) *httptest.ResponseRecorder {
	var body *strings.Reader
	if lr.form != nil {
		body = strings.NewReader(lr.form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(lr.method, base+lr.path, body)
	if lr.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr(lr.client), 4321).String()
	for name, value := range lr.cookies {
		req.AddCookie(&http.Cookie{Name: name, Value: value})
	}
	rec := httptest.NewRecorder()
	node.ServeHTTP(rec, req)
	return rec
}

// localLogin is a password attempt at the local login form.
func localLogin(client, account string) limitRequest {
	const csrf = "a-csrf-token-of-at-least-32-characters"
	return limitRequest{method: "POST", path: "/login/local", client: client,
		form:    url.Values{"csrf": {csrf}, "login": {account}, "password": {"guess"}},
		cookies: map[string]string{"gh_csrf": csrf}}
}

func ssoStart(client, enterprise string) limitRequest {
	return limitRequest{method: "GET", path: "/login/sso?enterprise_key=" + enterprise, client: client}
}

func acsPost(client, enterprise string) limitRequest {
	return limitRequest{method: "POST", path: "/saml/" + enterprise + "/acs", client: client,
		form: url.Values{"SAMLResponse": {"not base64"}, "RelayState": {"x"}}}
}

// TestRateLimits sends, under limits of two requests a minute, three
// requests that share a client address (an IPv6 client by its /64) or an
// enterprise or account: the third is refused with 429, Retry-After and a
// message saying when to try again, and writes nothing; a request that
// shares neither still goes through, and so does the same request once
// the bucket has refilled.
func TestRateLimits(t *testing.T) {
	tests := []struct {
		name   string
		limits web.Limits
		// requests are sent in order; the last one is refused.
		requests []limitRequest
		// other shares no limit with the refused one.
		other limitRequest
		// message is what the refusal says is limited.
		message string
	}{
		{
			name:     "login start per client address",
			limits:   web.Limits{StartPerClient: twoAMinute},
			requests: []limitRequest{ssoStart("192.0.2.1", "acme"), ssoStart("192.0.2.1", "globex"), ssoStart("192.0.2.1", "acme")},
			other:    ssoStart("192.0.2.2", "acme"),
			message:  "Too many logins from your network address. Try again in 30 seconds.",
		},
		{
			name:     "login start per IPv6 /64",
			limits:   web.Limits{StartPerClient: twoAMinute},
			requests: []limitRequest{ssoStart("2001:db8:0:1::1", "acme"), ssoStart("2001:db8:0:1::2", "acme"), ssoStart("2001:db8:0:1:ffff::3", "acme")},
			other:    ssoStart("2001:db8:0:2::1", "acme"),
			message:  "Too many logins from your network address. Try again in 30 seconds.",
		},
		{
			name:     "login start per enterprise",
			limits:   web.Limits{StartPerEnterprise: twoAMinute},
			requests: []limitRequest{ssoStart("192.0.2.1", "acme"), ssoStart("192.0.2.2", "acme"), ssoStart("192.0.2.3", "acme")},
			other:    ssoStart("192.0.2.3", "globex"),
			message:  "Too many logins to this enterprise. Try again in 30 seconds.",
		},
		{
			name:     "ACS per client address",
			limits:   web.Limits{ACSPerClient: twoAMinute},
			requests: []limitRequest{acsPost("192.0.2.1", "acme"), acsPost("192.0.2.1", "globex"), acsPost("192.0.2.1", "acme")},
			other:    acsPost("192.0.2.2", "acme"),
			message:  "Too many sign-ins from your network address. Try again in 30 seconds.",
		},
		{
			name:     "ACS per enterprise",
			limits:   web.Limits{ACSPerEnterprise: twoAMinute},
			requests: []limitRequest{acsPost("192.0.2.1", "acme"), acsPost("192.0.2.2", "acme"), acsPost("192.0.2.3", "acme")},
			other:    acsPost("192.0.2.3", "globex"),
			message:  "Too many sign-ins to this enterprise. Try again in 30 seconds.",
		},
		{
			name:     "local login per client address",
			limits:   web.Limits{LocalPerClient: twoAMinute},
			requests: []limitRequest{localLogin("192.0.2.1", "root"), localLogin("192.0.2.1", "admin"), localLogin("192.0.2.1", "ops")},
			other:    localLogin("192.0.2.2", "ops"),
			message:  "Too many password attempts from your network address. Try again in 30 seconds.",
		},
		{
			name:     "local login per account, whatever the case of the login",
			limits:   web.Limits{LocalPerAccount: twoAMinute},
			requests: []limitRequest{localLogin("192.0.2.1", "root"), localLogin("192.0.2.2", "Root"), localLogin("192.0.2.3", "ROOT")},
			other:    localLogin("192.0.2.3", "admin"),
			message:  "Too many password attempts for this account. Try again in 30 seconds.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := MustCatalogue(t)
			w := MustCatalogueWorld(t, cat, filepath.Join(t.TempDir(), "gatehouse.db"), catalogueCase(t, cat, "valid-both-signed"))
			clk := &clock{now: cat.Now}
			node := w.Node(t, func(c *web.Config) { c.Limits, c.Now = &tt.limits, clk.Now })
			last := len(tt.requests) - 1
			for _, r := range tt.requests[:last] {
				if rec := r.do(node, cat.BaseURL, ""); rec.Code == http.StatusTooManyRequests {
					t.Fatalf("%s %s from %s = 429 before the limit", r.method, r.path, r.client)
				}
			}
			before := w.MustWritten(t)
			rec := tt.requests[last].do(node, cat.BaseURL, "")
			if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") != "30" {
				t.Errorf("over the limit: %d, Retry-After %q; want 429, 30", rec.Code, rec.Header().Get("Retry-After"))
			}
			if !strings.Contains(rec.Body.String(), tt.message) {
				t.Errorf("the page does not say %q:\n%s", tt.message, rec.Body)
			}
			if got := w.MustWritten(t); fmt.Sprint(got) != fmt.Sprint(before) {
				t.Errorf("the refused request wrote: %+v, then %+v", before, got)
			}
			rec = tt.requests[last].do(node, cat.BaseURL, "application/json")
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != gatehouse.ERATELIMITED || body.Error.Message != tt.message {
				t.Errorf("over the limit, as JSON: %d %s; want code %s and message %q", rec.Code, rec.Body, gatehouse.ERATELIMITED, tt.message)
			}
			if rec := tt.other.do(node, cat.BaseURL, ""); rec.Code == http.StatusTooManyRequests {
				t.Errorf("%s %s from %s = 429; it shares no limit with the refused request", tt.other.method, tt.other.path, tt.other.client)
			}
			clk.Advance(30 * time.Second)
			if rec := tt.requests[last].do(node, cat.BaseURL, ""); rec.Code == http.StatusTooManyRequests {
				t.Errorf("30 seconds later: 429; want a token refilled")
			}
		})
	}
}

// TestLoginStartBoundsPendingRequests fills an enterprise's pending
// requests to login.MaxPendingRequests: the next login start is refused
// with 429 and records nothing, and starts again once Purge has removed
// the expired ones.
func TestLoginStartBoundsPendingRequests(t *testing.T) {
	cat := MustCatalogue(t)
	w := MustCatalogueWorld(t, cat, filepath.Join(t.TempDir(), "gatehouse.db"), catalogueCase(t, cat, "valid-both-signed"))
	err := w.st.Tx(context.Background(), func(tx store.Tx) error {
		for i := range login.MaxPendingRequests {
			err := tx.CreateAuthnRequest(&gatehouse.AuthnRequest{ID: fmt.Sprintf("id-%d", i), EnterpriseID: w.acme.ID,
				RelayState: fmt.Sprintf("relay-%d", i), BrowserHash: []byte("hash"), CreatedAt: cat.Now,
				ExpiresAt: cat.Now.Add(gatehouse.AuthnRequestLifetime)})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	node := w.Node(t)
	rec := ssoStart("192.0.2.1", "acme").do(node, cat.BaseURL, "")
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "Too many logins to") {
		t.Errorf("GET /login/sso with %d pending = %d; want 429 saying too many logins are in progress", login.MaxPendingRequests, rec.Code)
	}
	if n := w.mustCountPending(t); n != login.MaxPendingRequests {
		t.Errorf("%d pending requests after the refusal; want %d", n, login.MaxPendingRequests)
	}
	svc := login.NewService(w.st, MustParseURL(t, cat.BaseURL))
	svc.Now = func() time.Time { return cat.Now.Add(gatehouse.AuthnRequestLifetime + time.Second) }
	if p, err := svc.Purge(context.Background()); err != nil || p.AuthnRequests != login.MaxPendingRequests {
		t.Fatalf("Purge() = %+v, %v; want the %d expired requests removed", p, err, login.MaxPendingRequests)
	}
	if rec := ssoStart("192.0.2.1", "acme").do(node, cat.BaseURL, ""); rec.Code != http.StatusFound {
		t.Errorf("GET /login/sso after Purge = %d; want 302", rec.Code)
	}
}

// mustCountPending counts the world's pending requests of acme.
func (w *catalogueWorld) mustCountPending(tb testing.TB) int {
	tb.Helper()
	var n int
	err := w.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		n, err = tx.CountAuthnRequests(w.acme.ID)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}
