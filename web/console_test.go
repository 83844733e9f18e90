package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// consolePaths are the console's pages for the acme fixture.
func consolePaths(tb testing.TB, s *consoleSite) []string {
	tb.Helper()
	return []string{
		"/organizations", "/account", "/account/security",
		"/enterprises/acme", "/enterprises/acme/sso", "/enterprises/acme/users", "/enterprises/acme/settings", "/enterprises/acme/audit",
		"/organizations/acme-web/groups", "/organizations/acme-web/groups/" + strconv.FormatInt(s.MustGroupID(tb, "acme-web", "Developers"), 10),
		"/organizations/acme-web/permissions", "/organizations/acme-web/members", "/organizations/acme-web/projects", "/organizations/acme-web/tokens",
	}
}

func TestConsoleSendsStrangersToTheLoginPage(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.NewClient(t)
	for _, path := range consolePaths(t, s) {
		p := c.get(t, path)
		if want := "/login?return_to=" + url.QueryEscape(path); p.Status != http.StatusSeeOther || p.Location != want {
			t.Errorf("GET %s without a session = %d to %q; want 303 to %q", path, p.Status, p.Location, want)
		}
	}
}

func TestConsolePagesAreAccessibleAndProtected(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustConnect(t)
	c := s.MustSignIn(t, "root")
	for _, path := range consolePaths(t, s) {
		t.Run(path, func(t *testing.T) {
			resp, err := c.http.Get(s.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			p := readPage(t, resp)
			if p.Status != http.StatusOK {
				t.Fatalf("GET %s = %d\n%s", path, p.Status, p.Body)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "style-src 'self'") {
				t.Errorf("Content-Security-Policy = %q; want scripts and styles from the site only", csp)
			}
			for _, landmark := range []string{`<main id="main"`, `<nav aria-label="Main"`, `<h1`, `href="#main"`, `action="/logout"`} {
				if !strings.Contains(p.Body, landmark) {
					t.Errorf("the page lacks %s", landmark)
				}
			}
			if bad := inlineCode.FindAllString(p.Body, -1); len(bad) > 0 {
				t.Errorf("inline style or script, which the CSP blocks: %q", bad)
			}
			if bad := unlabelled(p.Body); len(bad) > 0 {
				t.Errorf("form fields without a label: %q", bad)
			}
			if bad := postFormsWithoutCSRF(p.Body, c.csrf); len(bad) > 0 {
				t.Errorf("forms posting without the session's CSRF token: %q", bad)
			}
		})
	}
}

var (
	inlineCode = regexp.MustCompile(`\sstyle="|<script>|<script [^>]*>[^<]|\son[a-z]+="`)
	fieldTag   = regexp.MustCompile(`(?s)(<label class="inline">\s*)?<(?:input|select|textarea)\b([^>]*)>`)
	idAttr     = regexp.MustCompile(`\bid="([^"]+)"`)
	formTag    = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
)

// unlabelled returns the form fields of body that are visible and have
// no label: a <label for>, a wrapping inline label, or an ARIA name.
func unlabelled(body string) []string {
	var out []string
	for _, m := range fieldTag.FindAllStringSubmatch(body, -1) {
		attrs := m[2]
		switch {
		case m[1] != "", regexp.MustCompile(`\bhidden\b|type="(submit|button)"|aria-label`).MatchString(attrs):
			continue
		}
		if id := idAttr.FindStringSubmatch(attrs); id != nil && strings.Contains(body, `for="`+id[1]+`"`) {
			continue
		}
		out = append(out, m[0])
	}
	return out
}

// postFormsWithoutCSRF returns the POST forms of body that do not carry csrf.
func postFormsWithoutCSRF(body, csrf string) []string {
	var out []string
	for _, m := range formTag.FindAllStringSubmatch(body, -1) {
		if strings.Contains(m[1], `method="post"`) && !strings.Contains(m[2], `name="csrf" value="`+csrf+`"`) {
			out = append(out, m[1])
		}
	}
	return out
}

func TestConsoleFormsNeedTheSessionsCSRFToken(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustConnect(t)
	c := s.MustSignIn(t, "root")
	dev := strconv.FormatInt(s.MustGroupID(t, "acme-web", "Developers"), 10)
	forms := []struct {
		path string
		form url.Values
	}{
		{"/enterprises/acme/organizations", url.Values{"key": {"acme-new"}, "name": {"New"}}},
		{"/enterprises/acme/organizations/acme-data/delete", url.Values{}},
		{"/enterprises/acme/admins", url.Values{"login": {"root"}}},
		{"/enterprises/acme/ip-allow-list", url.Values{"ip_allow_list": {"203.0.113.0/24"}}},
		{"/enterprises/acme/sso/delete", url.Values{"force": {"yes"}, "understood": {"yes"}}},
		{"/enterprises/acme/sso/test", url.Values{}},
		{"/organizations/acme-web/groups", url.Values{"name": {"Ops"}}},
		{"/organizations/acme-web/groups/" + dev + "/delete", url.Values{}},
		{"/organizations/acme-web/permissions", url.Values{"group": {dev}}},
		{"/organizations/acme-web/projects", url.Values{"key": {"p2"}, "name": {"P2"}}},
		{"/organizations/acme-web/tokens", url.Values{"name": {"ci"}}},
		{"/account/tokens", url.Values{"name": {"laptop"}}},
		{"/account/password", url.Values{"current_password": {rootPassword}, "new_password": {"another long password"}, "confirm_password": {"another long password"}}},
		{"/account/delete", url.Values{"confirm": {"yes"}}},
	}
	before := s.snapshot(t)
	for _, f := range forms {
		for _, token := range []string{"", "forged", c.csrf[1:]} {
			f.form.Set("csrf", token)
			if p := c.post(t, f.path, f.form); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "This form has expired") {
				t.Errorf("POST %s with CSRF token %q = %d; want 403 and the expired-form page", f.path, token, p.Status)
			}
		}
	}
	if after := s.snapshot(t); after != before {
		t.Errorf("forms without the CSRF token changed the state")
	}
}

func TestConsoleRefusesPagesToWhoDoesNotAdministerThem(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustLocalUser(t, "bob")
	c := s.MustSignIn(t, "bob")
	for _, path := range consolePaths(t, s)[3:] {
		if p := c.get(t, path); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "You are not allowed to") {
			t.Errorf("GET %s by bob = %d; want 403 saying what is not allowed", path, p.Status)
		}
	}
	before := s.snapshot(t)
	for _, path := range []string{"/enterprises/acme/organizations", "/enterprises/acme/sso/test", "/organizations/acme-web/groups", "/organizations/acme-web/tokens"} {
		if p := c.post(t, path, url.Values{"name": {"x"}, "key": {"x-y"}}); p.Status != http.StatusForbidden {
			t.Errorf("POST %s by bob = %d; want 403", path, p.Status)
		}
	}
	if s.snapshot(t) != before {
		t.Errorf("refused forms changed the state")
	}
}

func TestConsoleHeaderListsWhatTheUserAdministers(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustLocalUser(t, "bob")
	tests := []struct {
		login   string
		want    []string
		wantNot []string
	}{
		{"root", []string{`href="/enterprises/acme"`, `href="/enterprises/acme/sso"`, `href="/organizations/acme-web/groups"`, `href="/account"`, "Log out"}, nil},
		{"bob", []string{`href="/account"`, "Log out"}, []string{"Administration", `href="/enterprises/acme"`}},
	}
	for _, tt := range tests {
		p := s.MustSignIn(t, tt.login).get(t, "/organizations")
		for _, w := range tt.want {
			if !strings.Contains(p.Body, w) {
				t.Errorf("%s's header lacks %s", tt.login, w)
			}
		}
		for _, w := range tt.wantNot {
			if strings.Contains(p.Body, w) {
				t.Errorf("%s's header shows %s", tt.login, w)
			}
		}
	}
}

func TestConsoleMarksTheCurrentSection(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")
	dev := strconv.FormatInt(s.MustGroupID(t, "acme-web", "Developers"), 10)
	current := regexp.MustCompile(`<nav aria-label="(?:Enterprise|Organization|Account) sections" class="tabs">(?s:.*?)aria-current="page">([^<]+)</a>`)
	tests := []struct {
		name string
		get  string
		// post, when set, is a refused form whose page is shown again.
		post string
		want string
	}{
		{"an enterprise's organizations", "/enterprises/acme", "", "Organizations"},
		{"a refused new organization", "", "/enterprises/acme/organizations", "Organizations"},
		{"a refused new administrator", "", "/enterprises/acme/admins", "Administrators &amp; network"},
		{"a group's page", "/organizations/acme-web/groups/" + dev, "", "Groups"},
		{"a refused new member", "", "/organizations/acme-web/groups/" + dev + "/members", "Groups"},
		{"a refused project", "", "/organizations/acme-web/projects", "Projects"},
		{"the profile", "/account", "", "Profile"},
		{"a refused profile", "", "/account/profile", "Profile"},
		{"a refused token", "", "/account/tokens", "Security"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p answer
			if tt.post != "" {
				p = c.post(t, tt.post, url.Values{"form": {"x"}})
			} else {
				p = c.get(t, tt.get)
			}
			m := current.FindStringSubmatch(p.Body)
			if m == nil || m[1] != tt.want {
				t.Errorf("current section = %v (status %d); want %q", m, p.Status, tt.want)
			}
		})
	}
}
