package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
)

func TestEnterpriseOrganizations(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")

	p := c.mustPost(t, "/enterprises/acme/organizations", url.Values{"key": {"acme-mobile"}, "name": {"Acme mobile"}})
	if !strings.Contains(p.Body, "<h1>Groups") || !strings.Contains(p.Body, `data-group="Owners"`) {
		t.Errorf("creating an organization does not lead to its groups")
	}
	if p := c.post(t, "/enterprises/acme/organizations", url.Values{"form": {"create-org"}, "key": {"Acme Mobile"}, "name": {"Again"}}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `value="Again"`) {
		t.Errorf("a bad key = %d %q; want 400 with the name kept", p.Status, refusalOf(p.Body))
	}
	p = c.mustPost(t, "/enterprises/acme/organizations/acme-mobile/delete", url.Values{})
	if strings.Contains(p.Body, `data-org="acme-mobile"`) || !strings.Contains(p.Body, `data-org="acme-web"`) {
		t.Errorf("after deleting acme-mobile the list is wrong")
	}
}

func TestEnterpriseUsersDeactivateAndReactivate(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	idp := s.MustConnect(t)
	alice := s.MustSSOSignIn(t, idp, "alice", "Developers")
	u := s.mustSSOUserNamed(t, "alice")
	c := s.MustSignIn(t, "root")

	p := c.get(t, "/enterprises/acme/users")
	if !strings.Contains(p.Body, `data-user="`+u.Login+`"`) || !strings.Contains(p.Body, "2026-11-27 10:00 UTC") {
		t.Fatalf("the Users page does not list alice with her last login")
	}
	p = c.mustPost(t, "/enterprises/acme/users/"+u.Login+"/active", url.Values{"active": {"false"}})
	if !strings.Contains(noticeOf(p.Body), "was deactivated") || !regexp.MustCompile(`data-user="`+u.Login+`">(?s:.*?)Deactivated`).MatchString(p.Body) {
		t.Errorf("after deactivating: notice %q", noticeOf(p.Body))
	}
	if p := alice.get(t, "/account"); p.Status != http.StatusSeeOther {
		t.Errorf("alice's session after deactivation: GET /account = %d; want sent to login", p.Status)
	}
	p = c.mustPost(t, "/enterprises/acme/users/"+u.Login+"/active", url.Values{"active": {"true"}})
	if !strings.Contains(noticeOf(p.Body), "was reactivated") {
		t.Errorf("after reactivating: notice %q", noticeOf(p.Body))
	}
	s.MustSSOSignIn(t, idp, "alice", "Developers")
}

func TestEnterpriseSettings(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	s.MustLocalUser(t, "carol")
	c := s.MustSignIn(t, "root")

	p := c.mustPost(t, "/enterprises/acme/admins", url.Values{"login": {"carol"}})
	if !strings.Contains(p.Body, `data-admin="carol"`) {
		t.Errorf("carol is not listed as an administrator")
	}
	if p, want := c.post(t, "/enterprises/acme/admins", url.Values{"form": {"add-admin"}, "login": {"carol"}}), `User "carol" is already an administrator of enterprise "acme".`; p.Status != http.StatusConflict || refusalOf(p.Body) != want {
		t.Errorf("adding carol twice = %d %q; want 409 %q", p.Status, refusalOf(p.Body), want)
	}
	p = c.mustPost(t, "/enterprises/acme/admins/carol/remove", url.Values{})
	if strings.Contains(p.Body, `data-admin="carol"`) {
		t.Errorf("carol is still listed after her removal")
	}

	p = c.mustPost(t, "/enterprises/acme/ip-allow-list", url.Values{"ip_allow_list": {"203.0.113.7\n2001:db8::/32, 203.0.113.0/24\n"}})
	if want := "allowed only from 203.0.113.7/32, 2001:db8::/32, 203.0.113.0/24."; !strings.HasSuffix(noticeOf(p.Body), want) {
		t.Errorf("after saving the allow list: notice %q; want it to end %q", noticeOf(p.Body), want)
	}
	e, err := s.Admin.Enterprise(context.Background(), gatehouse.Operator, "acme")
	if err != nil || !cmp.Equal(e.IPAllowList, []string{"203.0.113.7/32", "2001:db8::/32", "203.0.113.0/24"}) {
		t.Errorf("allow list = %v, %v", e.IPAllowList, err)
	}
	p = c.post(t, "/enterprises/acme/admins", url.Values{"form": {"add-admin"}, "login": {"nobody"}})
	if want := "203.0.113.7/32\n2001:db8::/32\n203.0.113.0/24</textarea>"; p.Status != http.StatusNotFound || !strings.Contains(p.Body, want) {
		t.Errorf("a refused new administrator = %d %q; want 404 with the saved allow list still in its own form", p.Status, refusalOf(p.Body))
	}
	if p := c.post(t, "/enterprises/acme/ip-allow-list", url.Values{"form": {"ip"}, "ip_allow_list": {"10.0.0.0/8\nnonsense"}}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "nonsense</textarea>") {
		t.Errorf("a bad entry = %d %q; want 400 with the text kept", p.Status, refusalOf(p.Body))
	}
	p = c.mustPost(t, "/enterprises/acme/ip-allow-list", url.Values{"ip_allow_list": {""}})
	if !strings.Contains(noticeOf(p.Body), "cleared") {
		t.Errorf("after clearing the allow list: notice %q", noticeOf(p.Body))
	}
}

func TestEnterpriseAuditLogFilters(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")
	c.mustPost(t, "/organizations/acme-web/groups", url.Values{"name": {"Ops"}})
	rowTypes := regexp.MustCompile(`<tr data-type="([^"]+)">`)
	tests := []struct {
		query     string
		status    int
		wantTypes []string
	}{
		{"type=group.create&actor=user:root", 200, []string{"group.create"}},
		{"type=group.create&actor=operator", 200, []string{"group.create", "group.create", "group.create", "group.create"}},
		{"actor=user:root&since=2026-11-27&until=2026-11-27", 200, []string{"group.create"}},
		{"actor=user:root&until=2026-11-26", 200, nil},
		{"since=yesterday", 400, nil},
	}
	for _, tt := range tests {
		p := c.get(t, "/enterprises/acme/audit?"+tt.query)
		var got []string
		for _, m := range rowTypes.FindAllStringSubmatch(p.Body, -1) {
			got = append(got, m[1])
		}
		if p.Status != tt.status || !cmp.Equal(got, tt.wantTypes) {
			t.Errorf("audit log ?%s = %d %v; want %d %v", tt.query, p.Status, got, tt.status, tt.wantTypes)
		}
	}
}

func TestEnterpriseAuditLogPages(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	for i := range 60 {
		if err := s.Admin.CreateProject(context.Background(), gatehouse.Operator, "acme-web", &gatehouse.Project{Key: "p" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Name: "P"}); err != nil {
			t.Fatal(err)
		}
	}
	c := s.MustSignIn(t, "root")
	p := c.get(t, "/enterprises/acme/audit?type=project.create")
	older := regexp.MustCompile(`<a class="button secondary" href="([^"]+)">Older events</a>`).FindStringSubmatch(p.Body)
	if n := strings.Count(p.Body, `<tr data-type=`); n != 50 || older == nil {
		t.Fatalf("first page: %d events, older link %v; want 50 and a link", n, older)
	}
	p = c.get(t, strings.ReplaceAll(older[1], "&amp;", "&"))
	if n := strings.Count(p.Body, `<tr data-type="project.create"`); n != 12 || strings.Contains(p.Body, "Older events") {
		t.Errorf("second page: %d project events; want the 12 left and no further link", n)
	}
}
