package saml

import (
	"bytes"
	"compress/flate"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"
	"testing"

	"github.com/crewjam/saml"
	"github.com/google/go-cmp/cmp"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

func TestNewNamesItsURLs(t *testing.T) {
	sp := MustNew(t, testConnection(t))
	got := []string{sp.EntityID(), sp.ACSURL(), sp.MetadataURL()}
	want := []string{testEntityID, testEntityID + "/acs", testEntityID + "/metadata"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EntityID, ACSURL, MetadataURL mismatch (-want +got):\n%s", diff)
	}
}

func TestNewRefusesABadConnection(t *testing.T) {
	tests := []struct {
		name      string
		conn      func(t *testing.T, c *gatehouse.SSOConnection)
		wantField string
	}{
		{"no IdP entity ID", func(_ *testing.T, c *gatehouse.SSOConnection) { c.IdPEntityID = "" }, "idp_entity_id"},
		{"no certificate", func(_ *testing.T, c *gatehouse.SSOConnection) { c.Certificates = nil }, "certificates"},
		{"a second certificate that is not PEM", func(t *testing.T, c *gatehouse.SSOConnection) {
			c.Certificates = []string{MustReadFixture(t, "idp.crt"), "MIIB..."}
		}, "certificates[1]"},
		{"an SP key that is not PEM", func(_ *testing.T, c *gatehouse.SSOConnection) { c.SPKey = "key" }, "sp_key"},
		{"an ECDSA SP key", func(t *testing.T, c *gatehouse.SSOConnection) {
			c.SPKey, c.SPCertificate = MustReadFixture(t, "idp-ecdsa.key"), MustReadFixture(t, "idp-ecdsa.crt")
		}, "sp_key"},
		{"an SP certificate of another key", func(t *testing.T, c *gatehouse.SSOConnection) { c.SPCertificate = MustReadFixture(t, "sp-other.crt") }, "sp_certificate"},
		{"signed requests without an SP key", func(_ *testing.T, c *gatehouse.SSOConnection) {
			c.SPKey, c.SPCertificate, c.SignRequests = "", "", true
		}, "sp_key"},
		{"a clock skew over the maximum", func(_ *testing.T, c *gatehouse.SSOConnection) { c.ClockSkew = gatehouse.MaxClockSkew + 1 }, "clock_skew_seconds"},
	}
	base, _ := url.Parse(testBaseURL)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := testConnection(t)
			tt.conn(t, conn)
			_, err := New(conn, base, testKey)
			var e *gatehouse.Error
			if !errors.As(err, &e) || e.Code != gatehouse.EINVALID || e.Field != tt.wantField {
				t.Errorf("New() = %v; want an EINVALID error on %q", err, tt.wantField)
			}
		})
	}
}

func TestNewAcceptsAConnectionWithoutSPKeyPair(t *testing.T) {
	conn := testConnection(t)
	conn.SPKey, conn.SPCertificate = "", ""
	sp := MustNew(t, conn)
	l := testLogin()
	l.Sign, l.EncryptTo = samltest.SignResponse, MustCertificate(t, "sp")
	_, err := sp.ParseResponse(MustResponse(t, MustIdP(t, "idp"), l), Expect{RequestID: testRequestID, Now: testNow})
	if refusalReason(err) != gatehouse.RefusalDecryption {
		t.Errorf("ParseResponse(encrypted) = %v; want a decryption refusal", err)
	}
}

func TestMaxRSAKeyBitsRefusesLargerKeys(t *testing.T) {
	sp, err := newServiceProvider(testConnection(t), endpoints{testEntityID, testACSURL, testEntityID + "/metadata"}, keyPolicy{minRSABits: 1024, maxRSABits: 1024})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sp.ParseResponse(MustResponse(t, MustIdP(t, "idp"), testLogin()), Expect{RequestID: testRequestID, Now: testNow})
	if refusalReason(err) != gatehouse.RefusalWeakAlgorithm || !strings.Contains(err.Error(), "2048-bit RSA key") {
		t.Errorf("ParseResponse() = %v; want a weak_algorithm refusal naming the 2048-bit key", err)
	}
}

// spMetadata is what TestMetadata reads of the SP metadata.
type spMetadata struct {
	EntityID      string `xml:"entityID,attr"`
	ValidUntil    string `xml:"validUntil,attr"`
	CacheDuration string `xml:"cacheDuration,attr"`
	SP            struct {
		AuthnRequestsSigned  string `xml:"AuthnRequestsSigned,attr"`
		WantAssertionsSigned string `xml:"WantAssertionsSigned,attr"`
		Keys                 []struct {
			Use         string `xml:"use,attr"`
			Certificate string `xml:"KeyInfo>X509Data>X509Certificate"`
		} `xml:"KeyDescriptor"`
		ACS []struct {
			Binding  string `xml:"Binding,attr"`
			Location string `xml:"Location,attr"`
		} `xml:"AssertionConsumerService"`
		SLO []struct{} `xml:"SingleLogoutService"`
	} `xml:"SPSSODescriptor"`
}

func TestMetadata(t *testing.T) {
	spCert := base64.StdEncoding.EncodeToString(MustCertificate(t, "sp").Raw)
	tests := []struct {
		name         string
		signRequests bool
		wantSigned   string
		wantUses     []string
	}{
		{"requests not signed: an encryption key only", false, "false", []string{"encryption"}},
		{"requests signed: encryption and signing keys", true, "true", []string{"encryption", "signing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := testConnection(t)
			conn.SignRequests = tt.signRequests
			doc, err := MustNew(t, conn).Metadata()
			if err != nil {
				t.Fatal(err)
			}
			var m spMetadata
			if err := xml.Unmarshal(doc, &m); err != nil {
				t.Fatal(err)
			}
			var uses []string
			for _, k := range m.SP.Keys {
				uses = append(uses, k.Use)
				if k.Certificate != spCert {
					t.Errorf("KeyDescriptor %s certificate is not the SP certificate", k.Use)
				}
			}
			if diff := cmp.Diff(tt.wantUses, uses); diff != "" {
				t.Errorf("KeyDescriptor uses mismatch (-want +got):\n%s", diff)
			}
			if m.EntityID != testEntityID || m.SP.AuthnRequestsSigned != tt.wantSigned || m.SP.WantAssertionsSigned != "true" {
				t.Errorf("Metadata() entityID %q, AuthnRequestsSigned %q, WantAssertionsSigned %q; want %q, %q, true",
					m.EntityID, m.SP.AuthnRequestsSigned, m.SP.WantAssertionsSigned, testEntityID, tt.wantSigned)
			}
			if len(m.SP.ACS) != 1 || m.SP.ACS[0].Binding != saml.HTTPPostBinding || m.SP.ACS[0].Location != testACSURL {
				t.Errorf("Metadata() ACS = %+v; want one HTTP-POST endpoint at %s", m.SP.ACS, testACSURL)
			}
			if len(m.SP.SLO) != 0 || m.ValidUntil != "" || m.CacheDuration == "" {
				t.Errorf("Metadata() SLO %d, validUntil %q, cacheDuration %q; want no SLO, no validUntil, a cacheDuration", len(m.SP.SLO), m.ValidUntil, m.CacheDuration)
			}
		})
	}
}

// authnRequest is what TestAuthnRequest reads of an AuthnRequest.
type authnRequest struct {
	ID           string `xml:",attr"`
	IssueInstant string `xml:",attr"`
	Destination  string `xml:",attr"`
	ACSURL       string `xml:"AssertionConsumerServiceURL,attr"`
	Binding      string `xml:"ProtocolBinding,attr"`
	Issuer       string `xml:"Issuer"`
	Signature    *struct{}
}

func TestAuthnRequest(t *testing.T) {
	for _, signed := range []bool{false, true} {
		t.Run(map[bool]string{false: "unsigned", true: "signed with RSA-SHA256"}[signed], func(t *testing.T) {
			conn := testConnection(t)
			conn.SignRequests = signed
			id, redirect, err := MustNew(t, conn).AuthnRequest("relay-1", testNow)
			if err != nil {
				t.Fatal(err)
			}
			if got := redirect.Scheme + "://" + redirect.Host + redirect.Path; got != conn.SSOURL {
				t.Errorf("AuthnRequest() redirects to %s; want %s", got, conn.SSOURL)
			}
			q := redirect.Query()
			req := mustInflateRequest(t, q.Get("SAMLRequest"))
			want := authnRequest{
				ID: id, IssueInstant: "2025-06-01T12:00:00Z", Destination: conn.SSOURL,
				ACSURL: testACSURL, Binding: saml.HTTPPostBinding, Issuer: testEntityID,
			}
			if diff := cmp.Diff(want, req); diff != "" {
				t.Errorf("AuthnRequest() request mismatch (-want +got):\n%s", diff)
			}
			if q.Get("RelayState") != "relay-1" {
				t.Errorf("AuthnRequest() RelayState = %q; want relay-1", q.Get("RelayState"))
			}
			checkRedirectSignature(t, redirect, signed)
		})
	}
}

func TestAuthnRequestIDsDiffer(t *testing.T) {
	sp := MustNew(t, testConnection(t))
	first, _, err := sp.AuthnRequest("", testNow)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := sp.AuthnRequest("", testNow)
	if err != nil {
		t.Fatal(err)
	}
	if first == second || len(first) < 20 {
		t.Errorf("AuthnRequest() IDs %q and %q; want two different random IDs", first, second)
	}
}

func TestAuthnRequestRefusesALongRelayState(t *testing.T) {
	_, _, err := MustNew(t, testConnection(t)).AuthnRequest(strings.Repeat("r", 81), testNow)
	if !errors.Is(err, saml.ErrRelayStateTooLong) {
		t.Errorf("AuthnRequest(81 bytes) = %v; want ErrRelayStateTooLong", err)
	}
}

func mustInflateRequest(t *testing.T, encoded string) authnRequest {
	t.Helper()
	deflated, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(flate.NewReader(bytes.NewReader(deflated)))
	if err != nil {
		t.Fatal(err)
	}
	var req authnRequest
	if err := xml.Unmarshal(doc, &req); err != nil {
		t.Fatal(err)
	}
	return req
}

// checkRedirectSignature checks the HTTP-Redirect query signature
// (SAML bindings 3.4.4.1) with the SP certificate.
func checkRedirectSignature(t *testing.T, redirect *url.URL, signed bool) {
	t.Helper()
	q := redirect.Query()
	if !signed {
		if q.Has("Signature") || q.Has("SigAlg") {
			t.Errorf("AuthnRequest() query %q is signed; want it unsigned", redirect.RawQuery)
		}
		return
	}
	if q.Get("SigAlg") != dsig.RSASHA256SignatureMethod {
		t.Fatalf("AuthnRequest() SigAlg = %q; want RSA-SHA256", q.Get("SigAlg"))
	}
	signedPart := redirect.RawQuery[:strings.Index(redirect.RawQuery, "&Signature=")]
	sig, err := base64.StdEncoding.DecodeString(q.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(signedPart))
	pub := MustCertificate(t, "sp").PublicKey.(*rsa.PublicKey)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Errorf("AuthnRequest() signature does not verify with the SP certificate: %v", err)
	}
}
