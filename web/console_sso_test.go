package web_test

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
)

func TestSSOPageBeforeAConnection(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	p := s.MustSignIn(t, "root").get(t, "/enterprises/acme/sso")
	for _, want := range []string{
		`id="sp-entity-id" value="` + s.URL + `/saml/acme"`,
		`id="sp-acs-url" value="` + s.URL + `/saml/acme/acs"`,
		`id="sso-login-url" value="` + s.URL + `/login/sso?enterprise_key=acme"`,
		`data-copy="sso-login-url"`,
		"Not configured",
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the SSO page lacks %s", want)
		}
	}
	if strings.Contains(p.Body, "/sso/test") || strings.Contains(p.Body, "/sso/delete") {
		t.Errorf("the SSO page offers to test or delete a connection that does not exist")
	}
}

// metadataXML returns IdP metadata for entityID with certPEM.
func metadataXML(entityID, ssoURL, certPEM string) string {
	block, _ := pem.Decode([]byte(certPEM))
	return fmt.Sprintf(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="%s">
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>%s</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s"/>
  </IDPSSODescriptor>
</EntityDescriptor>`, entityID, base64.StdEncoding.EncodeToString(block.Bytes), ssoURL)
}

func TestSaveSSOConnection(t *testing.T) {
	cert := MustIdPCert(t)
	md := metadataXML("https://idp.example.com/md", "https://idp.example.com/sso", cert)
	mdServer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, md) }))
	t.Cleanup(mdServer.Close)
	manual := url.Values{"method": {"manual"}, "entity_id": {"https://idp.example.com/manual"}, "sso_url": {"https://idp.example.com/sso"},
		"certificates": {cert + "\n" + cert}, "preset": {"default"}, "clock_skew": {"90"}}
	with := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, vs := range v {
			out[k] = append([]string(nil), vs...)
		}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name string
		form url.Values
		// upload is a metadata file to send, multipart.
		upload     string
		wantEntity string
		wantAttrs  gatehouse.AttributeNames
		wantError  string
	}{
		{"saves a connection typed by hand, certificates one after the other", manual, "", "https://idp.example.com/manual", gatehouse.DefaultAttributes, ""},
		{"saves pasted metadata", with(manual, "method", "metadata_xml", "metadata_xml", md), "", "https://idp.example.com/md", gatehouse.DefaultAttributes, ""},
		{"saves an uploaded metadata file", with(manual, "method", "metadata_xml"), md, "https://idp.example.com/md", gatehouse.DefaultAttributes, ""},
		{"saves metadata fetched from a URL", with(manual, "method", "metadata_url", "metadata_url", mdServer.URL), "", "https://idp.example.com/md", gatehouse.DefaultAttributes, ""},
		{"applies the Entra ID preset whatever the fields say", with(manual, "preset", "entra", "attr_login", "ignored"), "", "https://idp.example.com/manual", gatehouse.EntraAttributes, ""},
		{"applies custom attribute names", with(manual, "preset", "custom", "attr_login", "uid", "attr_name", "cn", "attr_email", "", "attr_groups", "memberOf"), "",
			"https://idp.example.com/manual", gatehouse.AttributeNames{Login: "uid", Name: "cn", Groups: "memberOf"}, ""},
		{"refuses a form without a way to describe the IdP", with(manual, "method", ""), "", "", gatehouse.AttributeNames{}, "Choose how to describe your identity provider"},
		{"refuses a certificate that is not PEM", with(manual, "certificates", "MIIB"), "", "", gatehouse.AttributeNames{}, "Certificate 1 is not a PEM certificate"},
		{"refuses an empty metadata URL", with(manual, "method", "metadata_url"), "", "", gatehouse.AttributeNames{}, "Enter the URL of your identity provider's metadata."},
		{"refuses a clock skew that is not a number", with(manual, "clock_skew", "soon"), "", "", gatehouse.AttributeNames{}, "The clock skew is a number of seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := MustConsoleSite(t, nil)
			s.MustAcme(t)
			c := s.MustSignIn(t, "root")
			tt.form.Set("form", "sso")
			var p answer
			if tt.upload != "" {
				p = c.postMultipart(t, "/enterprises/acme/sso", tt.form, "metadata_file", tt.upload)
			} else {
				p = c.post(t, "/enterprises/acme/sso", tt.form)
			}
			if tt.wantError != "" {
				if p.Status != http.StatusBadRequest || !strings.Contains(refusalOf(p.Body), tt.wantError) {
					t.Errorf("POST /enterprises/acme/sso = %d %q; want 400 %q", p.Status, refusalOf(p.Body), tt.wantError)
				}
				if setup, err := s.Admin.SSOSetup(context.Background(), gatehouse.Operator, "acme"); err != nil || setup.View != nil {
					t.Errorf("a refused form saved a connection (%v)", err)
				}
				return
			}
			if p.Status != http.StatusSeeOther {
				t.Fatalf("POST /enterprises/acme/sso = %d %q; want 303", p.Status, refusalOf(p.Body))
			}
			v, err := s.Admin.SSO(context.Background(), gatehouse.Operator, "acme")
			if err != nil {
				t.Fatal(err)
			}
			if v.Connection.IdPEntityID != tt.wantEntity || v.Connection.Attributes != tt.wantAttrs {
				t.Errorf("saved entity %q, attributes %+v; want %q, %+v", v.Connection.IdPEntityID, v.Connection.Attributes, tt.wantEntity, tt.wantAttrs)
			}
		})
	}
}

func TestSSOFormRefusesAnUploadOverTheBodyCap(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")
	huge := "<EntityDescriptor>" + strings.Repeat(" ", 3<<19) + "</EntityDescriptor>"
	p := c.postMultipart(t, "/enterprises/acme/sso", url.Values{"form": {"sso"}, "method": {"metadata_xml"}, "preset": {"default"}, "clock_skew": {"90"}},
		"metadata_file", huge)
	if want := "The form is larger than Gatehouse accepts (1 MiB)."; p.Status != http.StatusRequestEntityTooLarge || !strings.Contains(p.Body, want) {
		t.Errorf("a 1.5 MiB metadata upload = %d; want 413 saying %q\n%s", p.Status, want, p.Body)
	}
	if setup, err := s.Admin.SSOSetup(context.Background(), gatehouse.Operator, "acme"); err != nil || setup.View != nil {
		t.Errorf("a refused upload saved a connection (%v)", err)
	}
}

func TestSSOFormKeepsWhatWasTyped(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	c := s.MustSignIn(t, "root")
	p := c.post(t, "/enterprises/acme/sso", url.Values{"form": {"sso"}, "method": {"manual"}, "entity_id": {"https://typed.example"},
		"sso_url": {"not a url"}, "certificates": {MustIdPCert(t)}, "preset": {"custom"}, "attr_login": {"uid"}, "attr_name": {"cn"},
		"want_encrypted": {"on"}, "clock_skew": {"30"}})
	for _, want := range []string{`value="https://typed.example"`, `value="not a url"`, `id="attr_login" name="attr_login" value="uid"`,
		`name="want_encrypted" id="want_encrypted" data-reveals="encrypted-note" aria-describedby="encrypted-note" checked`, `value="30"`,
		"must also sign the <strong>whole Response</strong>"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the refused SSO form (%d %q) lacks %s", p.Status, refusalOf(p.Body), want)
		}
	}
}

func TestDeleteSSONeedsASecondConfirmationWhenNoLocalAdminIsLeft(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	idp := s.MustConnect(t)
	ctx := context.Background()
	alice := s.MustSSOSignIn(t, idp, "alice", "Developers")
	u := s.mustSSOUserNamed(t, "alice")
	if err := s.Admin.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", u.Login); err != nil {
		t.Fatal(err)
	}
	if err := s.Admin.RemoveEnterpriseAdmin(ctx, gatehouse.Operator, "acme", "root"); err != nil {
		t.Fatal(err)
	}

	p := alice.post(t, "/enterprises/acme/sso/delete", url.Values{"form": {"delete-sso"}})
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, `id="force-delete-form"`) || !strings.Contains(p.Body, "without an administrator who can log in without SSO") {
		t.Fatalf("deleting SSO with no local admin left = %d %q; want 409 and the second confirmation", p.Status, refusalOf(p.Body))
	}
	if p := alice.post(t, "/enterprises/acme/sso/delete", url.Values{"form": {"force-delete-sso"}, "force": {"yes"}}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, `id="force-delete-form"`) {
		t.Errorf("forcing without ticking the box = %d; want 400 and the second confirmation again", p.Status)
	}
	if _, err := s.Admin.SSO(ctx, gatehouse.Operator, "acme"); err != nil {
		t.Fatalf("the connection after refusals: %v", err)
	}
	p = alice.mustPost(t, "/enterprises/acme/sso/delete", url.Values{"force": {"yes"}, "understood": {"yes"}})
	if !strings.Contains(p.Body, "Not configured") || noticeOf(p.Body) != "The SSO connection was deleted: SSO users can no longer log in." {
		t.Errorf("after the forced deletion: notice %q", noticeOf(p.Body))
	}
}

// mustSSOUserNamed returns the SSO user of acme whose login attribute is login.
func (s *consoleSite) mustSSOUserNamed(tb testing.TB, login string) *gatehouse.User {
	tb.Helper()
	users, err := s.Admin.ListUsers(context.Background(), gatehouse.Operator, admin.UserQuery{Enterprise: "acme"})
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range users {
		if u.ExternalID == login {
			return u
		}
	}
	tb.Fatalf("acme has no SSO user %q", login)
	return nil
}

func TestTestSSOShowsWhatTheIdPSentAndChangesNothing(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	idp := s.MustConnect(t)
	c := s.MustSignIn(t, "root")
	before := eventTypes(t, s)

	form := s.mustIdPAnswer(t, idp, c.post(t, "/enterprises/acme/sso/test", url.Values{}), "bob", "developers", "Analysts")
	p := c.post(t, "/saml/acme/acs", form)
	if p.Status != http.StatusOK {
		t.Fatalf("the test's ACS = %d; want the report\n%s", p.Status, p.Body)
	}
	for _, want := range []string{
		`data-verdict="ok"`, `<code id="test-login">bob</code>`, `data-org="acme-data"`, `data-matched="Analysts"`,
		`data-near-miss="developers"`, "acme-web", "None yet: a real login would create it", `<code>bob@acme.example</code>`,
		`nav aria-label="Main"`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the Test SSO report lacks %s", want)
		}
	}
	if got, want := eventTypes(t, s), append([]string{login.AuditSSOTest}, before...); !cmp.Equal(got, want) {
		t.Errorf("audit events after the test = %v; want one sso.test more than %v", got, before)
	}
	if p := c.post(t, "/saml/acme/acs", form); p.Status != http.StatusForbidden || !strings.Contains(p.Body, `data-reason="unknown_request"`) {
		t.Errorf("posting the test's response again = %d; want 403 unknown_request", p.Status)
	}
	if users, _ := s.Admin.ListUsers(context.Background(), gatehouse.Operator, admin.UserQuery{Enterprise: "acme"}); len(users) != 0 {
		t.Errorf("the test created users %v", users)
	}
}

func TestTestSSOExplainsARefusalAndSaysItsDetailOnce(t *testing.T) {
	s := MustConsoleSite(t, nil)
	s.MustAcme(t)
	idp := s.MustConnect(t)
	c := s.MustSignIn(t, "root")
	c.mustPost(t, "/enterprises/acme/ip-allow-list", url.Values{"ip_allow_list": {"10.0.0.0/8"}})

	form := s.mustIdPAnswer(t, idp, c.post(t, "/enterprises/acme/sso/test", url.Values{}), "bob", "Analysts")
	p := c.post(t, "/saml/acme/acs", form)
	for _, want := range []string{
		`data-verdict="refused"`, `<h2 id="refusal-title">Your network is not allowed</h2>`,
		"your address, 127.0.0.1, is not one of them", `Reason: <code>ip_not_allowed</code></p>`,
	} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the Test SSO report of a refused login (%d) lacks %s", p.Status, want)
		}
	}
}

// eventTypes returns the types of every audit event, newest first.
func eventTypes(tb testing.TB, s *consoleSite) []string {
	tb.Helper()
	evs, err := s.Admin.AuditEvents(context.Background(), gatehouse.Operator, admin.AuditQuery{Limit: admin.MaxAuditPage})
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}
