package saml

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

// testNow is the frozen clock of the tests; testdata/gen states the
// validity of every fixture certificate relative to it.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	testBaseURL   = "https://gatehouse.example"
	testKey       = "acme"
	testEntityID  = testBaseURL + "/saml/" + testKey
	testACSURL    = testEntityID + "/acs"
	testIdPEntity = "https://idp.example/metadata"
	testRequestID = "id-request-1"
)

// MustReadFixture returns the content of testdata/name.
func MustReadFixture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// MustIdP returns a samltest.IdP with the key pair testdata/name.key and
// name.crt.
func MustIdP(tb testing.TB, name string) *samltest.IdP {
	tb.Helper()
	block, _ := pem.Decode([]byte(MustReadFixture(tb, name+".key")))
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return &samltest.IdP{EntityID: testIdPEntity, Key: key.(crypto.Signer), Certificate: MustCertificate(tb, name)}
}

// MustCertificate returns testdata/name.crt.
func MustCertificate(tb testing.TB, name string) *x509.Certificate {
	tb.Helper()
	block, _ := pem.Decode([]byte(MustReadFixture(tb, name+".crt")))
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		tb.Fatal(err)
	}
	return cert
}

// testConnection is a valid connection trusting testdata/idp.crt, with
// the SP key pair testdata/sp.
func testConnection(tb testing.TB) *gatehouse.SSOConnection {
	tb.Helper()
	return &gatehouse.SSOConnection{
		IdPEntityID:   testIdPEntity,
		SSOURL:        "https://idp.example/sso",
		Certificates:  []string{MustReadFixture(tb, "idp.crt")},
		Attributes:    gatehouse.DefaultAttributes,
		ClockSkew:     gatehouse.DefaultClockSkew,
		SPKey:         MustReadFixture(tb, "sp.key"),
		SPCertificate: MustReadFixture(tb, "sp.crt"),
	}
}

// MustNew builds the ServiceProvider of conn for enterprise testKey.
func MustNew(tb testing.TB, conn *gatehouse.SSOConnection) *ServiceProvider {
	tb.Helper()
	base, _ := url.Parse(testBaseURL)
	sp, err := New(conn, base, testKey)
	if err != nil {
		tb.Fatalf("New() = %v", err)
	}
	return sp
}

// testLogin is a sign-in of alice answering testRequestID at testNow,
// with the assertion signed.
func testLogin() samltest.Login {
	return samltest.Login{
		SPEntityID:   testEntityID,
		ACSURL:       testACSURL,
		InResponseTo: testRequestID,
		NameID:       "alice@example.com",
		Attributes: []samltest.Attribute{
			{Name: "login", Values: []string{"alice"}},
			{Name: "name", Values: []string{"Alice Liddell"}},
			{Name: "email", Values: []string{"alice@example.com"}},
			{Name: "groups", Values: []string{"Devs", "Ops"}},
		},
		Now:  testNow.Add(-10 * time.Second),
		Sign: samltest.SignAssertion,
	}
}

// MustResponse returns the base64 Response idp makes for l.
func MustResponse(tb testing.TB, idp *samltest.IdP, l samltest.Login) string {
	tb.Helper()
	doc, err := idp.Response(l)
	if err != nil {
		tb.Fatal(err)
	}
	return samltest.Encode(doc)
}

// refusalReason returns the Reason of err if it is a *gatehouse.Refusal,
// and "" otherwise.
func refusalReason(err error) gatehouse.RefusalReason {
	var r *gatehouse.Refusal
	if errors.As(err, &r) {
		return r.Reason
	}
	return ""
}
