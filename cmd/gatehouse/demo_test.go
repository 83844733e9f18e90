package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-sso/gatehouse/internal/browsertest"
	"github.com/gatehouse-sso/gatehouse/internal/devidp"
)

// demoTestPassword is the demo admin's password in tests.
const demoTestPassword = "demo admin password"

// MustDemo starts what "gatehouse demo" starts, on 127.0.0.1:0.
func MustDemo(tb testing.TB) *Main {
	tb.Helper()
	ctx := context.Background()
	m := &Main{Config: Config{Addr: "127.0.0.1:0", DB: filepath.Join(tb.TempDir(), "demo.db")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	var idp *devidp.IdP
	m.Mount = func(base *url.URL) (map[string]http.Handler, error) {
		var err error
		idp, err = devidp.New(devidp.Config{BaseURL: base.JoinPath("devidp")})
		return map[string]http.Handler{"/devidp/": idp.Handler()}, err
	}
	if err := m.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	if err := seedDemo(ctx, m.Admin, idp, demoTestPassword); err != nil {
		tb.Fatal(err)
	}
	return m
}

// TestDemoNewcomerLogsIn follows the README: open the printed URL, log in
// as each sample user, and see what group sync made of their groups.
func TestDemoNewcomerLogsIn(t *testing.T) {
	m := MustDemo(t)
	tests := []struct {
		user string
		// orgs maps each organization the user lands in to their groups there.
		orgs      map[string]string
		emptyText string
	}{
		{user: "alice", orgs: map[string]string{"acme-web": "Members Admins Developers", "acme-data": "Members Developers"}},
		{user: "bob", emptyText: "developers"},
		{user: "carol", emptyText: "sent no groups at all"},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			ctx := browsertest.New(t)
			browsertest.Do(t, ctx,
				chromedp.Navigate(m.URL()+"/login"),
				chromedp.SendKeys(chromedp.ID("enterprise_key"), "acme"),
				chromedp.Click(chromedp.CSS(`#sso-title ~ form button[type=submit]`)),
				chromedp.WaitVisible(chromedp.ID("login-as-"+tt.user)),
				chromedp.Click(chromedp.ID("login-as-"+tt.user)),
				chromedp.WaitVisible(chromedp.CSS("#main h1")),
			)
			browsertest.Screenshot(t, ctx, "demo-"+tt.user)
			if h := browsertest.Text(t, ctx, "main h1"); h != "Your organizations" {
				t.Fatalf("landed on %q; want Your organizations", h)
			}
			for org, groups := range tt.orgs {
				got := browsertest.Text(t, ctx, `tr[data-org="`+org+`"] td:nth-child(2)`)
				if strings.Join(strings.Fields(got), " ") != groups {
					t.Errorf("groups in %s = %q; want %q", org, got, groups)
				}
			}
			if tt.emptyText != "" {
				if got := browsertest.Text(t, ctx, "#empty-state"); !strings.Contains(got, tt.emptyText) {
					t.Errorf("empty state %q does not mention %q", got, tt.emptyText)
				}
			}
		})
	}
}

// TestDemoAdminSeesTheSSOPage logs in as the demo's local administrator
// and opens the enterprise's SSO & Provisioning page.
func TestDemoAdminSeesTheSSOPage(t *testing.T) {
	m := MustDemo(t)
	ctx := browsertest.New(t)
	browsertest.Do(t, ctx,
		chromedp.Navigate(m.URL()+"/login"),
		chromedp.SendKeys(chromedp.ID("login"), demoAdmin),
		chromedp.SendKeys(chromedp.ID("password"), demoTestPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("administers")),
		chromedp.Navigate(m.URL()+"/enterprises/"+demoEnterprise+"/sso"),
		chromedp.WaitVisible(chromedp.ID("sso-status")),
	)
	browsertest.Screenshot(t, ctx, "demo-admin-sso")
	if got := browsertest.Text(t, ctx, "#sso-status"); got != "Configured" {
		t.Errorf("SSO status = %q; want Configured", got)
	}
	if got := browsertest.Value(t, ctx, "#sso-login-url"); got != m.URL()+"/login/sso?enterprise_key=acme" {
		t.Errorf("SSO login URL field = %q", got)
	}
}

// TestDemoCommandPrintsWhatWorks runs "gatehouse demo --addr 127.0.0.1:0"
// as the README says, and follows what it prints: the SSO login URL leads
// to the development IdP and the operator's curl command answers with
// the seeded organizations. Cancelling it, as Ctrl-C does, stops it.
func TestDemoCommandPrintsWhatWorks(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, printed := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runDemo(ctx, []string{"--addr", "127.0.0.1:0"}, printed, io.Discard)
		printed.Close()
	}()
	var loginURL, curl string
	lines := bufio.NewScanner(out)
	for lines.Scan() && (loginURL == "" || curl == "") {
		line := strings.TrimSpace(lines.Text())
		if u, ok := strings.CutPrefix(line, "Log in with SSO:"); ok {
			loginURL = strings.TrimSpace(u)
		}
		if strings.HasPrefix(line, "curl ") {
			curl = line
		}
	}
	go io.Copy(io.Discard, out)
	if loginURL == "" || curl == "" {
		t.Fatalf("gatehouse demo printed no login URL or curl command (%v)", <-done)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(loginURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "/devidp/sso?SAMLRequest=") {
		t.Errorf("GET %s = %d to %q; want a redirect to the development IdP", loginURL, resp.StatusCode, loc)
	}
	// curl -H 'Authorization: Bearer TOKEN' URL
	f := strings.Fields(curl)
	req, err := http.NewRequest("GET", f[len(f)-1], nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSuffix(f[len(f)-2], "'"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"key":"acme-web"`) {
		t.Errorf("%s = %d %s; want the seeded organizations", curl, resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("gatehouse demo after Ctrl-C = %v; want nil", err)
	}
}
