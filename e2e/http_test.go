package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse/internal/idptest"
)

// meJSON is what GET /api/v1/me answers.
type meJSON struct {
	User struct {
		Login, Name, Email, Kind string
	}
	Enterprise    string
	Organizations []struct {
		Key    string
		Groups []struct {
			ID   int64
			Name string
		}
		Permissions []string
	}
}

// summary returns the user's organizations as "groups A,B; permissions p,q"
// by organization key, each list sorted.
func (m meJSON) summary() map[string]string {
	out := map[string]string{}
	for _, o := range m.Organizations {
		var groups []string
		for _, g := range o.Groups {
			groups = append(groups, g.Name)
		}
		out[o.Key] = "groups " + sortedList(groups) + "; permissions " + sortedList(o.Permissions)
	}
	return out
}

// mustGet GETs target with client, following redirects, fails tb unless
// the answer is 200 OK, and returns its body.
func mustGet(tb testing.TB, client *http.Client, target string) string {
	tb.Helper()
	resp, err := client.Get(target)
	if err != nil {
		tb.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET %s: read the answer: %v", target, err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s = %s; want 200 OK\n%s", target, resp.Status, body)
	}
	return string(body)
}

// mustGetJSON GETs target with client and decodes its JSON answer into out.
func mustGetJSON(tb testing.TB, client *http.Client, target string, out any) {
	tb.Helper()
	body := mustGet(tb, client, target)
	if err := json.NewDecoder(strings.NewReader(body)).Decode(out); err != nil {
		tb.Fatalf("GET %s: decode %s: %v", target, body, err)
	}
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

// sendWithCookie sends a request with cookie and, unless body is "", a
// form body, and returns the status and Location, without following it.
func sendWithCookie(tb testing.TB, method, target, body string, cookie *http.Cookie) (int, string) {
	tb.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(cookie)
	resp, err := (&http.Client{CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, target, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}
