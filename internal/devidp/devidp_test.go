package devidp_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-sso/gatehouse/internal/devidp"
	"github.com/gatehouse-sso/gatehouse/internal/testpeer"
)

// now is the fixed clock of the IdP and of the test SPs.
var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// env is a development IdP mounted at /devidp of a 127.0.0.1 server, and a bare crewjam
// SP that the IdP knows, whose ACS a test may serve on mux.
type env struct {
	mux *http.ServeMux
	srv *httptest.Server
	idp *devidp.IdP
	sp  *saml.ServiceProvider
}

func newEnv(t *testing.T) *env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base, _ := url.Parse(srv.URL + "/devidp")
	idp, err := devidp.New(devidp.Config{BaseURL: base, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux.Handle("/devidp/", idp.Handler())
	e := &env{mux: mux, srv: srv, idp: idp, sp: newSP(t, srv.URL+"/saml/acme", idp)}
	if err := idp.AddServiceProvider(e.sp.EntityID, e.sp.AcsURL.String()); err != nil {
		t.Fatalf("AddServiceProvider: %v", err)
	}
	return e
}

// newSP returns a crewjam SP with its ACS at entityID+"/acs", trusting idp's metadata.
func newSP(t *testing.T, entityID string, idp *devidp.IdP) *saml.ServiceProvider {
	t.Helper()
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(idp.MetadataXML(), &md); err != nil {
		t.Fatalf("parse IdP metadata: %v", err)
	}
	acs, _ := url.Parse(entityID + "/acs")
	return &saml.ServiceProvider{
		EntityID:          entityID,
		AcsURL:            *acs,
		IDPMetadata:       &md,
		AuthnNameIDFormat: saml.EmailAddressNameIDFormat,
		Clock:             dsig.NewFakeClockAt(now),
	}
}

func TestRoundTrip(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		login string
		want  map[string][]string
	}{
		{"alice", map[string][]string{"login": {"alice"}, "name": {"Alice Liddell"}, "email": {"alice@example.com"}, "groups": {"Developers", "Admins"}}},
		{"bob", map[string][]string{"login": {"bob"}, "name": {"Bob Builder"}, "email": {"bob@example.com"}, "groups": {"developers"}}},
		{"carol", map[string][]string{"login": {"carol"}, "name": {"Carol Nogroups"}, "email": {"carol@example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.login, func(t *testing.T) {
			requestID, post := logIn(t, e.sp, e.idp, tt.login, tt.login)
			assertion, err := e.sp.ParseResponse(acsRequest(post), []string{requestID})
			if err != nil {
				t.Fatalf("ParseResponse: %v", reason(err))
			}
			if diff := cmp.Diff(tt.want, attributes(assertion)); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			if got, want := assertion.Subject.NameID.Value, tt.want["email"][0]; got != want {
				t.Errorf("NameID = %q; want %q", got, want)
			}
			if got := assertion.Issuer.Value; got != e.idp.EntityID() {
				t.Errorf("Issuer = %q; want %q", got, e.idp.EntityID())
			}
			if post.Get("RelayState") != "relay-1" {
				t.Errorf("RelayState = %q; want relay-1", post.Get("RelayState"))
			}
		})
	}
}

func TestResponseAndAssertionSignedWithRSASHA256(t *testing.T) {
	e := newEnv(t)
	_, post := logIn(t, e.sp, e.idp, "alice", "alice")
	xmlResponse, err := base64.StdEncoding.DecodeString(post.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	const method = `SignatureMethod Algorithm="` + dsig.RSASHA256SignatureMethod + `"`
	if n := strings.Count(string(xmlResponse), method); n != 2 {
		t.Errorf("Response has %d RSA-SHA256 signatures; want 2 (Response and Assertion)", n)
	}
}

// TestResponseVerifiesWithXMLSec1 checks the Response signature with xmlsec1, apart
// from any Go library, with the key pinned to the IdP's certificate.
func TestResponseVerifiesWithXMLSec1(t *testing.T) {
	if _, err := exec.LookPath("xmlsec1"); err != nil {
		testpeer.Missing(t, "xmlsec1 is not installed", "apt-get install -y xmlsec1")
	}
	e := newEnv(t)
	_, post := logIn(t, e.sp, e.idp, "alice", "alice")
	xmlResponse, err := base64.StdEncoding.DecodeString(post.Get("SAMLResponse"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, resp := filepath.Join(dir, "idp.crt"), filepath.Join(dir, "response.xml")
	if err := os.WriteFile(cert, []byte(e.idp.CertificatePEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(resp, xmlResponse, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("xmlsec1", "--verify", "--enabled-key-data", "rsa", "--pubkey-cert-pem", cert,
		"--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response", resp).CombinedOutput()
	if err != nil {
		t.Errorf("xmlsec1 --verify: %v\n%s", err, out)
	}
}

func TestRefusals(t *testing.T) {
	e := newEnv(t)
	stranger := newSP(t, e.srv.URL+"/saml/stranger", e.idp)
	strangerURL, err := stranger.MakeRedirectAuthenticationRequest("")
	if err != nil {
		t.Fatal(err)
	}
	sso := e.idp.SSOURL()
	tests := []struct {
		name, method, url string
		header            http.Header
		wantStatus        int
		wantText          string
	}{
		{"unregistered SP", "GET", strangerURL.String(), nil, http.StatusBadRequest, "not registered"},
		{"IdP-initiated: no AuthnRequest", "GET", sso, nil, http.StatusBadRequest, "not a valid SAML AuthnRequest"},
		{"IdP-initiated: unsolicited SP parameter", "GET", sso + "?spentityid=" + url.QueryEscape(e.sp.EntityID), nil, http.StatusBadRequest, "not a valid SAML AuthnRequest"},
		{"HTTP-POST binding", "POST", sso, nil, http.StatusMethodNotAllowed, ""},
		{"cross-origin login form", "POST", e.srv.URL + "/devidp/login", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, tt.url, nil)
			for k, v := range tt.header {
				req.Header[k] = v
			}
			status, body := do(t, newClient(t), req)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantText) {
				t.Errorf("%s %s = %d %.300q; want %d containing %q", tt.method, tt.url, status, body, tt.wantStatus, tt.wantText)
			}
		})
	}
}

func TestWrongPasswordShowsTheLoginPageAgain(t *testing.T) {
	e := newEnv(t)
	client := newClient(t)
	redirect, err := e.sp.MakeRedirectAuthenticationRequest("")
	if err != nil {
		t.Fatal(err)
	}
	page := get(t, client, redirect.String())
	form := loginForm(t, page, "alice", "bob")
	status, body := do(t, client, postRequest(e.srv.URL+form.action, form.values))
	if status != http.StatusUnauthorized || !strings.Contains(body, "Wrong username or password.") || strings.Contains(body, "SAMLResponse") {
		t.Errorf("wrong password: %d %.300q; want 401 with the login page and its error", status, body)
	}
}

func TestSignedAuthnRequestsFromMetadata(t *testing.T) {
	e := newEnv(t)
	signer := newSP(t, e.srv.URL+"/saml/signer", e.idp)
	signer.Key, signer.Certificate = newKeyPair(t)
	signer.SignatureMethod = dsig.RSASHA256SignatureMethod
	md, err := xml.Marshal(signer.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.idp.AddServiceProviderMetadata(md); err != nil {
		t.Fatalf("AddServiceProviderMetadata: %v", err)
	}

	// The login form carries the signed query string, so the signature is checked again
	// when the form is posted.
	requestID, post := logIn(t, signer, e.idp, "alice", "alice")
	if _, err := signer.ParseResponse(acsRequest(post), []string{requestID}); err != nil {
		t.Fatalf("signed request: ParseResponse: %v", reason(err))
	}

	unsigned := *signer
	unsigned.SignatureMethod = ""
	redirect, err := unsigned.MakeRedirectAuthenticationRequest("")
	if err != nil {
		t.Fatal(err)
	}
	if status, body := do(t, newClient(t), mustRequest(t, "GET", redirect.String())); status != http.StatusBadRequest {
		t.Errorf("unsigned request of an SP that signs: %d %.300q; want 400", status, body)
	}
}

func TestMetadata(t *testing.T) {
	e := newEnv(t)
	status, body := do(t, newClient(t), mustRequest(t, "GET", e.idp.MetadataURL()))
	if status != http.StatusOK {
		t.Fatalf("GET metadata: %d", status)
	}
	var md saml.EntityDescriptor
	if err := xml.Unmarshal([]byte(body), &md); err != nil {
		t.Fatalf("parse metadata: %v", err)
	}
	if md.EntityID != e.idp.EntityID() || md.EntityID != e.srv.URL+"/devidp/metadata" {
		t.Errorf("entityID = %q; want %q", md.EntityID, e.idp.EntityID())
	}
	desc := md.IDPSSODescriptors[0]
	want := []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: e.srv.URL + "/devidp/sso"}}
	if diff := cmp.Diff(want, desc.SingleSignOnServices); diff != "" {
		t.Errorf("SSO services (-want +got):\n%s", diff)
	}
	block, _ := pem.Decode([]byte(e.idp.CertificatePEM()))
	if len(desc.KeyDescriptors) != 1 || desc.KeyDescriptors[0].KeyInfo.X509Data.X509Certificates[0].Data != base64.StdEncoding.EncodeToString(block.Bytes) {
		t.Errorf("key descriptors = %+v; want the signing certificate only", desc.KeyDescriptors)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:8080/devidp")
	relative, _ := url.Parse("/devidp")
	tests := []struct {
		name string
		cfg  devidp.Config
	}{
		{"no base URL", devidp.Config{}},
		{"relative base URL", devidp.Config{BaseURL: relative}},
		{"user without email", devidp.Config{BaseURL: base, Users: []devidp.User{{Login: "x", Password: "x"}}}},
		{"login twice", devidp.Config{BaseURL: base, Users: []devidp.User{
			{Login: "x", Password: "x", Email: "x@example.com"}, {Login: "x", Password: "y", Email: "y@example.com"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := devidp.New(tt.cfg); err == nil {
				t.Errorf("New(%+v) = nil error; want an error", tt.cfg)
			}
		})
	}
}

// logIn starts an SP-initiated login with a redirect AuthnRequest of sp, clicks the
// "Sign in as" button of login on the IdP's login page with password, and returns the
// request ID and the form the answer page posts to the ACS.
func logIn(t *testing.T, sp *saml.ServiceProvider, idp *devidp.IdP, login, password string) (string, url.Values) {
	t.Helper()
	req, err := sp.MakeAuthenticationRequest(idp.SSOURL(), saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		t.Fatalf("MakeAuthenticationRequest: %v", err)
	}
	redirect, err := req.Redirect("relay-1", sp)
	if err != nil {
		t.Fatalf("Redirect: %v", err)
	}
	client := newClient(t)
	page := get(t, client, redirect.String())
	if !strings.Contains(page, "Development IdP — not for production") {
		t.Errorf("login page does not say it is not for production")
	}
	form := loginForm(t, page, login, password)
	origin := redirect.Scheme + "://" + redirect.Host
	status, answer := do(t, client, postRequest(origin+form.action, form.values))
	if status != http.StatusOK {
		t.Fatalf("post login form: %d %s", status, answer)
	}
	post := hiddenInputs(answer)
	if !post.Has("SAMLResponse") {
		t.Fatalf("answer page has no SAMLResponse:\n%s", answer)
	}
	action := formActionRE.FindStringSubmatch(answer)
	if action == nil || html.UnescapeString(action[1]) != sp.AcsURL.String() {
		t.Fatalf("answer page posts to %v; want %s", action, sp.AcsURL.String())
	}
	return req.ID, post
}

type form struct {
	action string
	values url.Values
}

// loginForm returns the "Sign in as login" form of the login page, with password.
func loginForm(t *testing.T, page, login, password string) form {
	t.Helper()
	for _, m := range formRE.FindAllStringSubmatch(page, -1) {
		values := hiddenInputs(m[2])
		if values.Get("username") == login && values.Has("request") {
			values.Set("password", password)
			return form{html.UnescapeString(m[1]), values}
		}
	}
	t.Fatalf("no sign-in form for %q on the login page:\n%s", login, page)
	return form{}
}

var (
	formRE       = regexp.MustCompile(`(?s)<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>`)
	formActionRE = regexp.MustCompile(`<form[^>]*action="([^"]*)"`)
	inputRE      = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

func hiddenInputs(page string) url.Values {
	values := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(page, -1) {
		values.Add(m[1], html.UnescapeString(m[2]))
	}
	return values
}

func attributes(a *saml.Assertion) map[string][]string {
	attrs := map[string][]string{}
	for _, st := range a.AttributeStatements {
		for _, attr := range st.Attributes {
			for _, v := range attr.Values {
				attrs[attr.Name] = append(attrs[attr.Name], v.Value)
			}
		}
	}
	return attrs
}

// reason returns the hidden reason of a crewjam *saml.InvalidResponseError, or err.
func reason(err error) error {
	if ire, ok := errors.AsType[*saml.InvalidResponseError](err); ok {
		return ire.PrivateErr
	}
	return err
}

func acsRequest(post url.Values) *http.Request {
	r := postRequest("http://127.0.0.1/acs", post)
	_ = r.ParseForm() // crewjam's ParseResponse reads PostForm
	return r
}

func postRequest(target string, values url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(values.Encode()))
	r.RequestURI = ""
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func mustRequest(t *testing.T, method, target string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func get(t *testing.T, client *http.Client, target string) string {
	t.Helper()
	status, body := do(t, client, mustRequest(t, "GET", target))
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", target, status, body)
	}
	return body
}

func do(t *testing.T, client *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", req.URL, err)
	}
	return resp.StatusCode, string(body)
}

func newClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func newKeyPair(t *testing.T) (*rsa.PrivateKey, *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test sp"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return key, cert
}
