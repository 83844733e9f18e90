package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser is an HTTP client with a cookie jar that does not follow redirects.
func (ts *testServer) browser(t *testing.T) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// page fetches path with c and returns the status, the Location header and the body.
func page(t *testing.T, c *http.Client, method, target string, form url.Values) (int, string, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == "POST" {
		resp, err = c.PostForm(target, form)
	} else {
		resp, err = c.Get(target)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestStartSSORefusals(t *testing.T) {
	ts := MustServer(t)
	ts.mustCall(t, 201, "POST", "/api/v1/enterprises", map[string]any{"key": "bare", "name": "Bare"})
	c := ts.browser(t)
	tests := []struct {
		name   string
		path   string
		status int
		want   string
	}{
		{"an unknown key gets a 404 page naming it", "/login/sso?enterprise_key=nosuch", 404, `no enterprise with key &#34;nosuch&#34;`},
		{"an enterprise without SSO gets a page saying so", "/login/sso?enterprise_key=bare", 404, "SSO is not set up for this enterprise"},
		{"no key sends back to the login form", "/login/sso", 400, "Enter your enterprise key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := page(t, c, "GET", ts.URL+tt.path, nil)
			if status != tt.status || !strings.Contains(body, tt.want) {
				t.Errorf("GET %s = %d; want %d with %q in:\n%s", tt.path, status, tt.status, tt.want, body)
			}
		})
	}
}

func TestLocalLogin(t *testing.T) {
	ts := MustServer(t)
	ts.mustCall(t, 201, "POST", "/api/v1/users", map[string]any{"login": "lena", "name": "Lena", "password": "a long enough password"})
	c := ts.browser(t)
	_, _, body := page(t, c, "GET", ts.URL+"/login?return_to=//evil.example/x", nil)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("login page has no CSRF field:\n%s", body)
	}
	if strings.Contains(body, "evil.example") {
		t.Errorf("the login page kept a return path to another site")
	}
	t.Run("refuses a form without the CSRF token", func(t *testing.T) {
		status, _, _ := page(t, c, "POST", ts.URL+"/login/local", url.Values{"login": {"lena"}, "password": {"a long enough password"}})
		if status != 403 {
			t.Errorf("status = %d; want 403", status)
		}
	})
	t.Run("refuses a wrong password without saying which half was wrong", func(t *testing.T) {
		status, _, body := page(t, c, "POST", ts.URL+"/login/local", url.Values{"csrf": {m[1]}, "login": {"lena"}, "password": {"wrong password!!"}})
		if status != 401 || !strings.Contains(body, "Wrong login or password.") {
			t.Errorf("status = %d; want 401 with the message", status)
		}
	})
	t.Run("signs in and lands on a local path only", func(t *testing.T) {
		status, loc, _ := page(t, c, "POST", ts.URL+"/login/local", url.Values{"csrf": {m[1]}, "login": {"lena"},
			"password": {"a long enough password"}, "return_to": {"https://evil.example/"}})
		if status != 303 || loc != "/organizations" {
			t.Fatalf("login = %d → %q; want 303 → /organizations", status, loc)
		}
	})
	t.Run("the API reads with the session", func(t *testing.T) {
		resp, err := c.Get(ts.URL + "/api/v1/me")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), `"login":"lena"`) {
			t.Errorf("/api/v1/me = %d %s", resp.StatusCode, body)
		}
	})
	t.Run("the API refuses changes with the session alone", func(t *testing.T) {
		resp, err := c.Post(ts.URL+"/api/v1/enterprises", "application/json", strings.NewReader(`{"key":"x1","name":"X"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("POST with a session cookie = %d; want 401", resp.StatusCode)
		}
	})
	t.Run("logout needs the session's CSRF token, then ends the session", func(t *testing.T) {
		_, _, orgs := page(t, c, "GET", ts.URL+"/organizations", nil)
		tok := csrfField.FindStringSubmatch(orgs)
		if tok == nil {
			t.Fatalf("organizations page has no logout form:\n%s", orgs)
		}
		if status, _, _ := page(t, c, "POST", ts.URL+"/logout", url.Values{"csrf": {"forged"}}); status != 403 {
			t.Errorf("logout with a forged token = %d; want 403", status)
		}
		if status, loc, _ := page(t, c, "POST", ts.URL+"/logout", url.Values{"csrf": {tok[1]}}); status != 303 || loc != "/login" {
			t.Errorf("logout = %d → %q", status, loc)
		}
		if status, loc, _ := page(t, c, "GET", ts.URL+"/organizations", nil); status != 303 || !strings.HasPrefix(loc, "/login") {
			t.Errorf("after logout /organizations = %d → %q; want a redirect to /login", status, loc)
		}
	})
}

func TestACSRefusesAnOversizedBody(t *testing.T) {
	ts := MustServer(t)
	ts.mustCall(t, 201, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme"})
	ts.mustCall(t, 200, "PUT", "/api/v1/enterprises/acme/sso", map[string]any{"idp_entity_id": "https://idp.example.com",
		"sso_url": "https://idp.example.com/sso", "certificates": []string{MustIdPCert(t)}})
	c := ts.browser(t)
	big := url.Values{"SAMLResponse": {strings.Repeat("A", 300<<10)}}
	status, _, body := page(t, c, "POST", ts.URL+"/saml/acme/acs", big)
	if status != 413 || !strings.Contains(body, "too large") {
		t.Errorf("oversized ACS post = %d; want 413 with a page that says it is too large", status)
	}
	evs := ts.mustCall(t, 200, "GET", "/api/v1/enterprises/acme/sso/attempts", nil).Body.([]any)
	if len(evs) != 1 || evs[0].(map[string]any)["details"].(map[string]any)["reason"] != "too_large" {
		t.Errorf("attempts = %v; want one too_large refusal", evs)
	}
}
