package idptest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse/internal/idptest"
)

const (
	spEntityID = "http://127.0.0.1:8080/saml/acme"
	spACSURL   = "http://127.0.0.1:8080/saml/acme/acs"
)

func TestStartSimpleSAMLphpServesMetadata(t *testing.T) {
	idp := idptest.StartSimpleSAMLphp(t, []idptest.SP{{EntityID: spEntityID, ACSURL: spACSURL}}, idptest.SampleUsers())

	md := mustFetchMetadata(t, idp)
	if md.EntityID != idp.EntityID {
		t.Errorf("metadata entityID = %q; want %q", md.EntityID, idp.EntityID)
	}
	block, _ := pem.Decode([]byte(idp.CertificatePEM))
	if block == nil {
		t.Fatalf("CertificatePEM is not PEM: %q", idp.CertificatePEM)
	}
	want := base64.StdEncoding.EncodeToString(block.Bytes)
	if got := signingCerts(md); !cmp.Equal(got, []string{want}) {
		t.Errorf("metadata signing certificates = %v; want [CertificatePEM]", got)
	}
	sso := md.IDPSSODescriptors[0].SingleSignOnServices
	if len(sso) == 0 || sso[0].Location != idp.SSOURL {
		t.Errorf("metadata SSO services = %+v; want %s", sso, idp.SSOURL)
	}
}

func TestLogIn(t *testing.T) {
	idp := idptest.StartSimpleSAMLphp(t, []idptest.SP{{EntityID: spEntityID, ACSURL: spACSURL}},
		append(idptest.SampleUsers(), idptest.NewUser("erin", "Erin Added", "erin@example.com", "Ops")))
	sp := newServiceProvider(t, idp, nil)

	tests := []struct {
		username, password string
		want               map[string][]string
	}{
		{"alice", "alicepass", idptest.SampleUsers()[0].Attributes},
		{"carol", "carolpass", idptest.SampleUsers()[2].Attributes},
		{"dave", "davepass", idptest.SampleUsers()[3].Attributes},
		{"erin", "erin", map[string][]string{"login": {"erin"}, "name": {"Erin Added"}, "email": {"erin@example.com"}, "groups": {"Ops"}}},
	}
	for _, tt := range tests {
		t.Run(tt.username, func(t *testing.T) {
			assertion := mustLogIn(t, idp, sp, tt.username, tt.password)
			if diff := cmp.Diff(tt.want, attributes(assertion)); diff != "" {
				t.Errorf("attributes of %s (-want +got):\n%s", tt.username, diff)
			}
			if email := tt.want["email"][0]; assertion.Subject.NameID.Value != email {
				t.Errorf("NameID = %q; want %q", assertion.Subject.NameID.Value, email)
			}
		})
	}
}

func TestLogInReusesTheIdPSession(t *testing.T) {
	idp := idptest.StartSimpleSAMLphp(t, []idptest.SP{{EntityID: spEntityID, ACSURL: spACSURL}}, idptest.SampleUsers())
	sp := newServiceProvider(t, idp, nil)
	client := newClient(t)
	for _, password := range []string{"bobpass", "wrong: the IdP session is reused"} {
		req, err := sp.MakeAuthenticationRequest(idp.SSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
		if err != nil {
			t.Fatal(err)
		}
		redirect, err := req.Redirect("", sp)
		if err != nil {
			t.Fatal(err)
		}
		post := idp.LogIn(t, client, redirect.String(), "bob", password)
		if _, err := sp.ParseResponse(acsRequest(post), []string{req.ID}); err != nil {
			t.Fatalf("ParseResponse: %v", reason(err))
		}
	}
}

func TestSignedAuthnRequestsRequired(t *testing.T) {
	key, certPEM, cert := newKeyPair(t)
	idp := idptest.StartSimpleSAMLphp(t, []idptest.SP{{EntityID: spEntityID, ACSURL: spACSURL, SigningCertPEM: certPEM}}, idptest.SampleUsers())

	unsigned := newServiceProvider(t, idp, nil)
	redirect, err := unsigned.MakeRedirectAuthenticationRequest("")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := newClient(t).Get(redirect.String())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// SimpleSAMLphp refuses with its "Unhandled exception" page, answered 200 OK.
	if !strings.Contains(string(body), "no signature found on message") {
		t.Errorf("unsigned AuthnRequest: got %s without the refusal; want \"no signature found on message\"", resp.Status)
	}

	signed := newServiceProvider(t, idp, &keyPair{key, cert})
	mustLogIn(t, idp, signed, "alice", "alicepass")
}

// mustLogIn signs username in through a redirect AuthnRequest of sp and returns the
// assertion sp validated.
func mustLogIn(tb testing.TB, idp *idptest.IdP, sp *saml.ServiceProvider, username, password string) *saml.Assertion {
	tb.Helper()
	req, err := sp.MakeAuthenticationRequest(idp.SSOURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		tb.Fatalf("MakeAuthenticationRequest: %v", err)
	}
	redirect, err := req.Redirect("relay-1", sp)
	if err != nil {
		tb.Fatalf("Redirect: %v", err)
	}
	post := idp.LogIn(tb, newClient(tb), redirect.String(), username, password)
	if post.URL != spACSURL || post.RelayState != "relay-1" {
		tb.Errorf("LogIn posts to %s with RelayState %q; want %s and relay-1", post.URL, post.RelayState, spACSURL)
	}
	assertion, err := sp.ParseResponse(acsRequest(post), []string{req.ID})
	if err != nil {
		tb.Fatalf("ParseResponse: %v", reason(err))
	}
	return assertion
}

type keyPair struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// newServiceProvider returns a bare crewjam SP that trusts idp and signs its
// AuthnRequests with RSA-SHA256 when signer is not nil.
func newServiceProvider(tb testing.TB, idp *idptest.IdP, signer *keyPair) *saml.ServiceProvider {
	tb.Helper()
	acs, _ := url.Parse(spACSURL)
	sp := &saml.ServiceProvider{
		EntityID:          spEntityID,
		AcsURL:            *acs,
		IDPMetadata:       mustFetchMetadata(tb, idp),
		AuthnNameIDFormat: saml.EmailAddressNameIDFormat,
	}
	if signer != nil {
		sp.Key, sp.Certificate = signer.key, signer.cert
		sp.SignatureMethod = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	}
	return sp
}

func mustFetchMetadata(tb testing.TB, idp *idptest.IdP) *saml.EntityDescriptor {
	tb.Helper()
	resp, err := http.Get(idp.MetadataURL)
	if err != nil {
		tb.Fatalf("fetch metadata: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("fetch metadata: %s, %v", resp.Status, err)
	}
	md := &saml.EntityDescriptor{}
	if err := xml.Unmarshal(data, md); err != nil {
		tb.Fatalf("parse metadata: %v\n%s", err, data)
	}
	return md
}

func signingCerts(md *saml.EntityDescriptor) []string {
	var certs []string
	for _, kd := range md.IDPSSODescriptors[0].KeyDescriptors {
		if kd.Use != "signing" {
			continue
		}
		for _, c := range kd.KeyInfo.X509Data.X509Certificates {
			certs = append(certs, strings.Join(strings.Fields(c.Data), ""))
		}
	}
	return certs
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

func acsRequest(post idptest.ACSPost) *http.Request {
	r := httptest.NewRequest(http.MethodPost, post.URL, strings.NewReader(post.Form().Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_ = r.ParseForm() // crewjam's ParseResponse reads PostForm
	return r
}

func newClient(tb testing.TB) *http.Client {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

func newKeyPair(tb testing.TB) (*rsa.PrivateKey, string, *x509.Certificate) {
	tb.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "idptest sp"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), cert
}
