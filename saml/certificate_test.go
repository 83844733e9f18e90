package saml

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
)

func TestValidateCertificates(t *testing.T) {
	tests := []struct {
		name      string
		fixtures  []string
		pems      []string
		wantField string
		wantMsg   string
	}{
		{name: "an RSA-2048 certificate", fixtures: []string{"idp"}},
		{name: "an ECDSA P-256 certificate beside an RSA one", fixtures: []string{"idp", "idp-ecdsa"}},
		{name: "no certificate", wantField: "certificates", wantMsg: "At least one"},
		{name: "a second certificate that is not PEM", fixtures: []string{"idp"}, pems: []string{"MIIBIjANBg"}, wantField: "certificates[1]", wantMsg: "Certificate 2 is not a PEM certificate"},
		{name: "a private key instead of a certificate", pems: []string{"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}, wantField: "certificates[0]"},
		{name: "two certificates in one field", pems: []string{"IDP+OTHER"}, wantField: "certificates[0]", wantMsg: "more than one PEM block"},
		{name: "a 1024-bit RSA key", fixtures: []string{"idp-rsa1024"}, wantField: "certificates[0]", wantMsg: "1024-bit RSA key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var pems []string
			for _, f := range tt.fixtures {
				pems = append(pems, MustReadFixture(t, f+".crt"))
			}
			for _, p := range tt.pems {
				pems = append(pems, strings.ReplaceAll(p, "IDP+OTHER", MustReadFixture(t, "idp.crt")+MustReadFixture(t, "idp-other.crt")))
			}
			err := ValidateCertificates(pems)
			if tt.wantField == "" {
				if err != nil {
					t.Errorf("ValidateCertificates() = %v; want nil", err)
				}
				return
			}
			var e *gatehouse.Error
			if !errors.As(err, &e) || e.Code != gatehouse.EINVALID || e.Field != tt.wantField || !strings.Contains(e.Message, tt.wantMsg) {
				t.Errorf("ValidateCertificates() = %v; want EINVALID on %s saying %q", err, tt.wantField, tt.wantMsg)
			}
		})
	}
}

func TestCertificateWarnings(t *testing.T) {
	pems := []string{
		MustReadFixture(t, "idp.crt"),
		MustReadFixture(t, "idp-expired.crt"),
		"not a certificate",
		MustReadFixture(t, "idp-expiring.crt"),
	}
	got := CertificateWarnings(pems, testNow)
	if len(got) != 2 || !strings.HasPrefix(got[0], "Certificate 2 (gatehouse test idp-expired") || !strings.Contains(got[0], "expired on 2025-05-01") ||
		!strings.HasPrefix(got[1], "Certificate 4 (gatehouse test idp-expiring") || !strings.Contains(got[1], "expires on 2025-06-15, in 13 days") {
		t.Errorf("CertificateWarnings() = %q; want certificate 2 expired and certificate 4 expiring in 13 days", got)
	}
	if got := CertificateWarnings(pems[:1], testNow); got != nil {
		t.Errorf("CertificateWarnings(valid for years) = %q; want none", got)
	}
}

func TestNewSPKeyPair(t *testing.T) {
	keyPEM, certPEM, err := NewSPKeyPair(testNow)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(certPEM))
	cert := mustParseCertificate(t, block.Bytes)
	key, err := parseRSAKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{key.N.BitLen(), cert.NotBefore, cert.NotAfter, cert.PublicKey.(*rsa.PublicKey).Equal(&key.PublicKey)}
	want := []any{2048, testNow, testNow.Add(10 * 365 * 24 * time.Hour), true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("NewSPKeyPair() mismatch (-want +got):\n%s", diff)
	}
	conn := testConnection(t)
	conn.SPKey, conn.SPCertificate, conn.SignRequests, conn.WantEncryptedAssertions = keyPEM, certPEM, true, true
	base, _ := url.Parse(testBaseURL)
	if _, err := New(conn, base, testKey); err != nil {
		t.Errorf("New() with the new key pair = %v", err)
	}
}

func mustParseCertificate(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
