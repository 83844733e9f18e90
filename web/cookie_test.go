package web_test

import (
	"io"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse/web"
)

// TestClientAddressBehindProxies asks, through the IP allow list of an SSO
// user's token and of an SSO login, which address Gatehouse sees for a
// request that comes from 127.0.0.1 with X-Forwarded-For headers.
func TestClientAddressBehindProxies(t *testing.T) {
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	chain := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		xff     []string // X-Forwarded-For header lines
		want    string   // the address seen; "" when it is allowed
		// wantPage is what the SSO login's refusal page says, when it
		// differs from want.
		wantPage string
	}{
		{"without trusted proxies the peer is the client", nil, nil, "127.0.0.1", ""},
		{"without trusted proxies a spoofed header is ignored", nil, []string{"203.0.113.7"}, "127.0.0.1", ""},
		{"a peer that is not a trusted proxy cannot spoof", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, []string{"203.0.113.7"}, "127.0.0.1", ""},
		{"a trusted proxy without the header is the client itself", loopback, nil, "127.0.0.1", ""},
		{"behind a trusted proxy, the address it forwards is the client", loopback, []string{"203.0.113.7"}, "", ""},
		{"the right-most address wins over what the client wrote to its left", loopback, []string{"203.0.113.7, 198.51.100.9"}, "198.51.100.9", ""},
		{"trusted hops are skipped to the first untrusted one", chain, []string{"198.51.100.9, 203.0.113.7, 10.1.2.3"}, "", ""},
		{"a spoof left of the client does not help", chain, []string{"203.0.113.7, 198.51.100.9, 10.1.2.3"}, "198.51.100.9", ""},
		{"several header lines are read as one list", chain, []string{"198.51.100.9", "203.0.113.7, 10.1.2.3"}, "", ""},
		{"an address with a port counts as the address", loopback, []string{"203.0.113.7:4711"}, "", ""},
		{"an IPv6 client is named as such", loopback, []string{"2001:db8::1"}, "2001:db8::1", ""},
		{"a malformed entry leaves no address to allow", loopback, []string{"203.0.113.7, not-an-address"}, "an unknown address", "is not allowed"},
		{"when every hop is trusted, the farthest one is the client", chain, []string{"10.9.9.9, 10.1.2.3"}, "10.9.9.9", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := MustServerWith(t, func(c *web.Config) { c.TrustedProxies = tt.trusted })
			seed(t, ts)
			ts.mustCall(t, 200, "PATCH", "/api/v1/enterprises/acme", map[string]any{"ip_allow_list": []string{"203.0.113.0/24"}})
			ts.mustCall(t, 200, "PUT", "/api/v1/enterprises/acme/sso", map[string]any{"idp_entity_id": "https://idp.example.com",
				"sso_url": "https://idp.example.com/sso", "certificates": []string{MustIdPCert(t)}})
			tok := ts.MustToken(t, ts.MustSSOUser(t, "acme", "sam@acme.example").Login, time.Time{})

			status, body := ts.getForwarded(t, "/api/v1/me", tok, tt.xff)
			wantStatus := http.StatusOK
			if tt.want != "" {
				wantStatus = http.StatusForbidden
			}
			if status != wantStatus || !strings.Contains(body, tt.want) {
				t.Errorf("GET /api/v1/me with a token = %d %s; want %d naming %q", status, body, wantStatus, tt.want)
			}

			status, body = ts.getForwarded(t, "/login/sso?enterprise_key=acme", "", tt.xff)
			wantStatus, wantPage := http.StatusFound, tt.want
			if tt.want != "" {
				wantStatus = http.StatusForbidden
			}
			if tt.wantPage != "" {
				wantPage = tt.wantPage
			}
			if status != wantStatus || !strings.Contains(body, wantPage) {
				t.Errorf("GET /login/sso = %d; want %d naming %q", status, wantStatus, wantPage)
			}
		})
	}
}

// getForwarded sends a GET with a bearer token (if not "") and the
// X-Forwarded-For header lines xff, without following redirects, and
// returns the status and body.
func (ts *testServer) getForwarded(tb testing.TB, path, tok string, xff []string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest("GET", ts.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for _, v := range xff {
		req.Header.Add("X-Forwarded-For", v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
