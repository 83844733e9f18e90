package web_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/web"
)

// rootPassword is the password of the local accounts the console tests make.
const rootPassword = "correct horse battery staple"

// consoleSite is a test server with the services behind it.
type consoleSite struct {
	*testServer
	Admin *admin.Service
	Login *login.Service
}

// MustConsoleSite starts a test server whose services see the time now
// returns, or testNow when now is nil. Tests against a real IdP need the
// real clock: it signs its responses with it.
func MustConsoleSite(tb testing.TB, now func() time.Time) *consoleSite {
	tb.Helper()
	s := &consoleSite{}
	s.testServer = MustServerWith(tb, func(c *web.Config) {
		s.Admin, s.Login = c.Admin, c.Login
		if now != nil {
			c.Now, c.Admin.Now, c.Login.Now, c.Tokens.Now = now, now, now, now
		}
	})
	return s
}

// MustAcme sets up the seed's situation: enterprise acme (Acme Corp) with
// organizations acme-web (groups Developers and Admins) and acme-data
// (Developers and Analysts), a project in each, and the local account
// root, an administrator of the enterprise, with rootPassword.
func (s *consoleSite) MustAcme(tb testing.TB) {
	tb.Helper()
	ctx, op := context.Background(), gatehouse.Operator
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(s.Admin.CreateEnterprise(ctx, op, &gatehouse.Enterprise{Key: "acme", Name: "Acme Corp"}))
	groups := map[string][]gatehouse.Group{
		"acme-web":  {{Name: "Developers", Description: "Build the web apps.", Permissions: []gatehouse.Permission{gatehouse.PermissionScan}}, {Name: "Admins", Permissions: []gatehouse.Permission{gatehouse.PermissionAdmin}}},
		"acme-data": {{Name: "Developers", Description: "Build the pipelines.", Permissions: []gatehouse.Permission{gatehouse.PermissionScan}}, {Name: "Analysts"}},
	}
	for _, key := range []string{"acme-web", "acme-data"} {
		must(s.Admin.CreateOrganization(ctx, op, &gatehouse.Organization{Key: key, Name: "Acme " + strings.TrimPrefix(key, "acme-")}, "acme"))
		for _, g := range groups[key] {
			must(s.Admin.CreateGroup(ctx, op, key, &g))
		}
		must(s.Admin.CreateProject(ctx, op, key, &gatehouse.Project{Key: key + "-main", Name: "Main project"}))
	}
	s.MustLocalUser(tb, "root")
	must(s.Admin.AddEnterpriseAdmin(ctx, op, "acme", "root"))
}

// MustLocalUser creates a local account with rootPassword.
func (s *consoleSite) MustLocalUser(tb testing.TB, login string) *gatehouse.User {
	tb.Helper()
	u := &gatehouse.User{Login: login, Name: strings.ToUpper(login[:1]) + login[1:] + " Local", Email: login + "@acme.example"}
	if err := s.Admin.CreateLocalUser(context.Background(), gatehouse.Operator, u, rootPassword); err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustSSOUser inserts an SSO user of acme, as a first login would.
func (s *consoleSite) MustSSOUser(tb testing.TB, login string) *gatehouse.User {
	tb.Helper()
	var u *gatehouse.User
	err := s.Store.Tx(context.Background(), func(tx store.Tx) error {
		e, err := tx.Enterprise("acme")
		if err != nil {
			return err
		}
		u = &gatehouse.User{Login: login, Name: login + " SSO", Email: login + "@acme.example", Kind: gatehouse.UserSSO,
			EnterpriseID: e.ID, ExternalID: login + "@acme.example", Active: true, CreatedAt: testNow, LastLoginAt: testNow}
		return tx.CreateUser(u)
	})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustGroupID returns the ID of the organization's group with name.
func (s *consoleSite) MustGroupID(tb testing.TB, org, name string) int64 {
	tb.Helper()
	gs, err := s.Admin.ListGroups(context.Background(), gatehouse.Operator, org)
	if err != nil {
		tb.Fatal(err)
	}
	for _, g := range gs {
		if g.Name == name {
			return g.ID
		}
	}
	tb.Fatalf("organization %q has no group %q", org, name)
	return 0
}

// MustConnect gives acme an SSO connection to a new samltest IdP, and
// returns the IdP.
func (s *consoleSite) MustConnect(tb testing.TB) *samltest.IdP {
	tb.Helper()
	idp, err := samltest.NewIdP("https://idp.example.com", testNow)
	if err != nil {
		tb.Fatal(err)
	}
	cert := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Certificate.Raw}))
	if _, err := s.Admin.PutSSO(context.Background(), gatehouse.Operator, "acme", admin.SSOInput{IdPEntityID: idp.EntityID,
		SSOURL: "https://idp.example.com/sso", Certificates: []string{cert}}); err != nil {
		tb.Fatal(err)
	}
	return idp
}

// mustIdPAnswer follows the console's redirect to the IdP (an answer
// whose Location carries an AuthnRequest) and returns the form the IdP
// posts back to the ACS for login with groups, signed by idp.
func (s *consoleSite) mustIdPAnswer(tb testing.TB, idp *samltest.IdP, redirect answer, login string, groups ...string) url.Values {
	tb.Helper()
	u, err := url.Parse(redirect.Location)
	if redirect.Status != http.StatusFound && redirect.Status != http.StatusSeeOther || err != nil || u.Host != "idp.example.com" {
		tb.Fatalf("the console answered %d to %q; want a redirect to the IdP", redirect.Status, redirect.Location)
	}
	q := u.Query()
	attrs := []samltest.Attribute{{Name: "login", Values: []string{login}}, {Name: "name", Values: []string{login + " SSO"}},
		{Name: "email", Values: []string{login + "@acme.example"}}}
	if groups != nil {
		attrs = append(attrs, samltest.Attribute{Name: "groups", Values: groups})
	}
	doc, err := idp.Response(samltest.Login{SPEntityID: s.URL + "/saml/acme", ACSURL: s.URL + "/saml/acme/acs",
		InResponseTo: mustRequestID(tb, q.Get("SAMLRequest")), NameID: login, Attributes: attrs, Now: testNow.Add(-time.Second), Sign: samltest.SignAssertion})
	if err != nil {
		tb.Fatal(err)
	}
	return url.Values{"SAMLResponse": {samltest.Encode(doc)}, "RelayState": {q.Get("RelayState")}}
}

// mustRequestID returns the ID of an HTTP-Redirect SAMLRequest value:
// base64 of the deflated AuthnRequest.
func mustRequestID(tb testing.TB, samlRequest string) string {
	tb.Helper()
	deflated, err := base64.StdEncoding.DecodeString(samlRequest)
	if err != nil {
		tb.Fatalf("SAMLRequest is not base64: %v", err)
	}
	doc, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	if err != nil {
		tb.Fatalf("SAMLRequest is not deflated: %v", err)
	}
	var req struct {
		ID string `xml:"ID,attr"`
	}
	if err := xml.Unmarshal(doc, &req); err != nil || req.ID == "" {
		tb.Fatalf("SAMLRequest %s has no ID (%v)", doc, err)
	}
	return req.ID
}

// MustSSOSignIn signs the SSO user login of acme in through a whole
// SP-initiated login, with groups from idp.
func (s *consoleSite) MustSSOSignIn(tb testing.TB, idp *samltest.IdP, login string, groups ...string) *consoleClient {
	tb.Helper()
	c := s.NewClient(tb)
	form := s.mustIdPAnswer(tb, idp, c.get(tb, "/login/sso?enterprise_key=acme"), login, groups...)
	if p := c.post(tb, "/saml/acme/acs", form); p.Status != http.StatusSeeOther {
		tb.Fatalf("SSO login of %s: %d\n%s", login, p.Status, p.Body)
	}
	c.csrf = c.mustCSRF(tb, "/account").Get("csrf")
	return c
}

// A consoleClient is a browser without script: a cookie jar that does not
// follow redirects, and the CSRF token of its session.
type consoleClient struct {
	site *consoleSite
	http *http.Client
	csrf string
}

// An answer is what the console sends back for one request.
type answer struct {
	Status   int
	Body     string
	Location string
}

// MustSignIn signs login in with rootPassword through the login page.
func (s *consoleSite) MustSignIn(tb testing.TB, login string) *consoleClient {
	tb.Helper()
	c := s.NewClient(tb)
	form := c.mustCSRF(tb, "/login")
	form.Set("login", login)
	form.Set("password", rootPassword)
	if p := c.post(tb, "/login/local", form); p.Status != http.StatusSeeOther {
		tb.Fatalf("logging in %s: %d\n%s", login, p.Status, p.Body)
	}
	c.csrf = c.mustCSRF(tb, "/account").Get("csrf")
	return c
}

// NewClient returns a client without session.
func (s *consoleSite) NewClient(tb testing.TB) *consoleClient {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &consoleClient{site: s, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// mustCSRF reads the CSRF field of the page at path, as a form.
func (c *consoleClient) mustCSRF(tb testing.TB, path string) url.Values {
	tb.Helper()
	p := c.get(tb, path)
	m := csrfField.FindStringSubmatch(p.Body)
	if m == nil {
		tb.Fatalf("GET %s (%d) has no CSRF field", path, p.Status)
	}
	return url.Values{"csrf": {m[1]}}
}

// get fetches path.
func (c *consoleClient) get(tb testing.TB, path string) answer {
	tb.Helper()
	resp, err := c.http.Get(c.site.URL + path)
	if err != nil {
		tb.Fatal(err)
	}
	return readPage(tb, resp)
}

// post sends form to path, with the session's CSRF token unless the form
// has one.
func (c *consoleClient) post(tb testing.TB, path string, form url.Values) answer {
	tb.Helper()
	if !form.Has("csrf") && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	resp, err := c.http.PostForm(c.site.URL+path, form)
	if err != nil {
		tb.Fatal(err)
	}
	return readPage(tb, resp)
}

// postMultipart sends form and one file field to path, as a browser
// uploads a file, with the session's CSRF token.
func (c *consoleClient) postMultipart(tb testing.TB, path string, form url.Values, fileField, content string) answer {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	form.Set("csrf", c.csrf)
	for k, vs := range form {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				tb.Fatal(err)
			}
		}
	}
	fw, err := mw.CreateFormFile(fileField, "metadata.xml")
	if err != nil {
		tb.Fatal(err)
	}
	io.WriteString(fw, content)
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	resp, err := c.http.Post(c.site.URL+path, mw.FormDataContentType(), &buf)
	if err != nil {
		tb.Fatal(err)
	}
	return readPage(tb, resp)
}

// mustPost posts form and fails unless the console redirects (the form
// succeeded); it returns the page redirected to.
func (c *consoleClient) mustPost(tb testing.TB, path string, form url.Values) answer {
	tb.Helper()
	p := c.post(tb, path, form)
	if p.Status != http.StatusSeeOther {
		tb.Fatalf("POST %s %v = %d; want 303\n%s", path, form, p.Status, refusalOf(p.Body))
	}
	return c.get(tb, p.Location)
}

func readPage(tb testing.TB, resp *http.Response) answer {
	tb.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return answer{Status: resp.StatusCode, Body: string(body), Location: resp.Header.Get("Location")}
}

var refusalNotice = regexp.MustCompile(`(?s)<div class="notice bad" role="alert" id="form-error"><strong>That did not work.</strong> (.*?)</div>`)

// refusalOf returns the message of a refused form on page body, or
// "" when the page shows none.
func refusalOf(body string) string {
	m := refusalNotice.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

var noticeBox = regexp.MustCompile(`<div class="notice (?:ok|warn)" role="status" id="notice">(.*?)</div>`)

// noticeOf returns the one-time notice shown on page body, or "".
func noticeOf(body string) string {
	m := noticeBox.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// testClient returns the address the test browsers connect from.
func testClient() netip.Addr { return netip.MustParseAddr("127.0.0.1") }
