package saml

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-sso/gatehouse"
)

// A ServiceProvider is Gatehouse as the SAML service provider of one
// enterprise: it makes AuthnRequests for the enterprise's IdP and verifies
// the Responses the IdP sends back. It is built once from the enterprise's
// SSO connection, never changes, and is safe for concurrent use.
type ServiceProvider struct {
	// sp is the crewjam/saml service provider. It is never modified: calls
	// that need a clock or a per-call check work on a copy.
	sp *saml.ServiceProvider
	// entityID, acsURL and metadataURL are the SP's identifiers, as shown
	// to the admin (SPEC §2).
	entityID, acsURL, metadataURL string
	// ssoURL is the IdP's HTTP-Redirect single sign-on endpoint.
	ssoURL string
	// attributes say which attributes carry the Identity.
	attributes gatehouse.AttributeNames
	// skew is the connection's allowed clock skew, at most
	// gatehouse.MaxClockSkew.
	skew time.Duration
	// wantEncrypted refuses plaintext assertions.
	wantEncrypted bool
	// canDecrypt is set when the SP has a key to decrypt assertions with.
	canDecrypt bool
	// weakKey, when not "", says which configured certificate has a key
	// Gatehouse refuses to verify with; every response is then refused.
	weakKey string
}

// endpoints are the identifiers of a ServiceProvider.
type endpoints struct {
	entityID, acsURL, metadataURL string
}

// New builds the ServiceProvider of the enterprise enterpriseKey from its
// SSO connection. Its entity ID is {baseURL}/saml/{key}, its ACS URL
// {baseURL}/saml/{key}/acs and its metadata URL {baseURL}/saml/{key}/metadata
// (SPEC §2). A connection that breaks a rule, or whose certificates or SP
// key pair cannot be used, is a *gatehouse.Error (EINVALID) naming the
// field.
func New(conn *gatehouse.SSOConnection, baseURL *url.URL, enterpriseKey string) (*ServiceProvider, error) {
	if baseURL == nil || (baseURL.Scheme != "https" && baseURL.Scheme != "http") || baseURL.Host == "" {
		return nil, fmt.Errorf("new saml service provider: base URL %v is not an absolute http(s) URL", baseURL)
	}
	if enterpriseKey == "" {
		return nil, fmt.Errorf("new saml service provider: empty enterprise key")
	}
	base := strings.TrimSuffix(baseURL.String(), "/") + "/saml/" + url.PathEscape(enterpriseKey)
	return newServiceProvider(conn, endpoints{
		entityID:    base,
		acsURL:      base + "/acs",
		metadataURL: base + "/metadata",
	}, defaultKeyPolicy())
}

// newServiceProvider builds a ServiceProvider with explicit identifiers and
// key policy, so that responses made for other SPs (the outside corpus) can
// be checked.
func newServiceProvider(conn *gatehouse.SSOConnection, ep endpoints, keys keyPolicy) (*ServiceProvider, error) {
	if err := conn.Validate(); err != nil {
		return nil, err
	}
	acsURL, err := url.Parse(ep.acsURL)
	if err != nil {
		return nil, fmt.Errorf("new saml service provider: acs url: %w", err)
	}
	metadataURL, err := url.Parse(ep.metadataURL)
	if err != nil {
		return nil, fmt.Errorf("new saml service provider: metadata url: %w", err)
	}
	idp, weakKey, err := idpDescriptor(conn, keys)
	if err != nil {
		return nil, err
	}
	key, cert, err := spKeyPair(conn)
	if err != nil {
		return nil, err
	}
	sp := &saml.ServiceProvider{
		EntityID:    ep.entityID,
		AcsURL:      *acsURL,
		MetadataURL: *metadataURL,
		IDPMetadata: idp,
		// Gatehouse identifies users by the login attribute, so any NameID
		// format will do; "unspecified" is the one every IdP accepts.
		AuthnNameIDFormat:                saml.UnspecifiedNameIDFormat,
		AssertionConsumerServiceBindings: []string{saml.HTTPPostBinding},
		// SP metadata without validUntil never goes stale at the IdP.
		MetadataOmitValidUntil: true,
		// saml-bindings 3.4.3: a RelayState MUST NOT exceed 80 bytes.
		LimitRelayStateLength: true,
		// SPEC §3.3: SHA-1 refused unless the connection allows it.
		RejectSHA1Signatures: !conn.AllowSHA1,
		// SAML core errata E93: no unauthenticated CBC decryption. Gatehouse
		// goes further (see ParseResponse); this is the second lock.
		RequireSignedResponseForCBC: true,
		// SAML core 2.5.1.1: an assertion with a condition the SP does not
		// understand is Indeterminate and MUST be rejected.
		RejectUnknownConditions: true,
	}
	if key != nil {
		sp.Key, sp.Certificate = key, cert
	}
	if conn.SignRequests {
		sp.SignatureMethod = dsig.RSASHA256SignatureMethod
	}
	return &ServiceProvider{
		sp:            sp,
		entityID:      ep.entityID,
		acsURL:        acsURL.String(), // as crewjam/saml compares it
		metadataURL:   ep.metadataURL,
		ssoURL:        conn.SSOURL,
		attributes:    conn.Attributes,
		skew:          conn.ClockSkew,
		wantEncrypted: conn.WantEncryptedAssertions,
		canDecrypt:    key != nil,
		weakKey:       weakKey,
	}, nil
}

// idpDescriptor turns the connection's IdP settings into the IdP metadata
// crewjam/saml trusts: the entity ID, the SSO URL and the signing
// certificates, which must parse. weakKey describes the first certificate
// whose key Gatehouse refuses to verify with, if any.
func idpDescriptor(conn *gatehouse.SSOConnection, policy keyPolicy) (idp *saml.EntityDescriptor, weakKey string, err error) {
	keys := make([]saml.KeyDescriptor, 0, len(conn.Certificates))
	for i, p := range conn.Certificates {
		cert, err := parseCertificate(p, i)
		if err != nil {
			return nil, "", err
		}
		if problem := policy.problem(cert); problem != "" && weakKey == "" {
			weakKey = fmt.Sprintf("IdP certificate %d (%s) %s", i+1, describe(cert), problem)
		}
		keys = append(keys, saml.KeyDescriptor{
			Use: "signing",
			KeyInfo: saml.KeyInfo{X509Data: saml.X509Data{X509Certificates: []saml.X509Certificate{
				{Data: base64.StdEncoding.EncodeToString(cert.Raw)},
			}}},
		})
	}
	idp = &saml.EntityDescriptor{
		EntityID: conn.IdPEntityID,
		IDPSSODescriptors: []saml.IDPSSODescriptor{{
			SSODescriptor: saml.SSODescriptor{RoleDescriptor: saml.RoleDescriptor{
				ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
				KeyDescriptors:             keys,
			}},
			SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: conn.SSOURL}},
		}},
	}
	return idp, weakKey, nil
}

// spKeyPair parses the enterprise's own RSA key and certificate. Both may
// be empty only when the connection neither signs requests nor wants
// encrypted assertions.
func spKeyPair(conn *gatehouse.SSOConnection) (*rsa.PrivateKey, *x509.Certificate, error) {
	if conn.SPKey == "" && conn.SPCertificate == "" {
		if conn.SignRequests || conn.WantEncryptedAssertions {
			return nil, nil, gatehouse.Invalidf("sp_key", "Signing requests and encrypted assertions need the enterprise's SP key pair.")
		}
		return nil, nil, nil
	}
	key, err := parseRSAKey(conn.SPKey)
	if err != nil {
		return nil, nil, err
	}
	block, _ := pem.Decode([]byte(conn.SPCertificate))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, nil, gatehouse.Invalidf("sp_certificate", "The SP certificate is not a PEM certificate.")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, nil, gatehouse.Invalidf("sp_certificate", "The SP certificate cannot be read: %v.", err)
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, nil, gatehouse.Invalidf("sp_certificate", "The SP certificate is not the certificate of the SP key.")
	}
	return key, cert, nil
}

// parseRSAKey parses an RSA private key in a PKCS #8 or PKCS #1 PEM block.
// Only RSA keys decrypt XML Encryption's RSA-OAEP key transport.
func parseRSAKey(p string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(p))
	if block == nil {
		return nil, gatehouse.Invalidf("sp_key", "The SP key is not a PEM private key.")
	}
	if key, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return key, nil
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, gatehouse.Invalidf("sp_key", "The SP key cannot be read: %v.", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, gatehouse.Invalidf("sp_key", "The SP key is a %T; it must be an RSA key.", parsed)
	}
	return key, nil
}

// EntityID returns the SP entity ID, {base}/saml/{key}: the Audience
// responses must name.
func (s *ServiceProvider) EntityID() string { return s.entityID }

// ACSURL returns the assertion consumer service URL, {base}/saml/{key}/acs:
// the Destination and Recipient responses must name.
func (s *ServiceProvider) ACSURL() string { return s.acsURL }

// MetadataURL returns where the SP metadata is served,
// {base}/saml/{key}/metadata.
func (s *ServiceProvider) MetadataURL() string { return s.metadataURL }

// Metadata returns the SP metadata to give the IdP: one HTTP-POST
// assertion consumer service, the SP certificate for encryption (and for
// signing, when requests are signed), AuthnRequestsSigned and
// WantAssertionsSigned. It carries a cacheDuration, not a validUntil, so
// it never expires at the IdP and does not depend on the clock.
func (s *ServiceProvider) Metadata() ([]byte, error) {
	buf, err := xml.MarshalIndent(s.sp.Metadata(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("marshal sp metadata: %w", err)
	}
	return append([]byte(xml.Header), buf...), nil
}

// AuthnRequest makes an AuthnRequest issued at now and returns its ID and
// the URL to redirect the browser to: the IdP SSO URL with the
// HTTP-Redirect binding, the request deflated, relayState, and a
// RSA-SHA256 query signature when the connection signs requests. The
// caller records id; the ServiceProvider keeps no state. relayState is at
// most 80 bytes (saml-bindings 3.4.3).
func (s *ServiceProvider) AuthnRequest(relayState string, now time.Time) (id string, redirect *url.URL, err error) {
	sp := *s.sp
	sp.Clock = dsig.NewFakeClockAt(now)
	req, err := sp.MakeAuthenticationRequest(s.ssoURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		return "", nil, fmt.Errorf("make authn request: %w", err)
	}
	redirect, err = req.Redirect(relayState, &sp)
	if err != nil {
		return "", nil, fmt.Errorf("make authn request redirect: %w", err)
	}
	return req.ID, redirect, nil
}
