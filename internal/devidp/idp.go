package devidp

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/crewjam/saml"
	"github.com/jonboulle/clockwork"
	dsig "github.com/russellhaering/goxmldsig"
)

// Config configures a development IdP.
type Config struct {
	// BaseURL is the absolute URL where Handler is mounted, such as
	// http://127.0.0.1:8080/devidp. Required.
	BaseURL *url.URL
	// Users can sign in. Empty means SampleUsers().
	Users []User
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives refused requests; nil discards them.
	Logger *slog.Logger
}

// An IdP is a development identity provider. Its methods are safe for concurrent use.
type IdP struct {
	idp      saml.IdentityProvider // crewjam does the SAML; IdP adds users, SPs and pages
	users    map[string]User       // by login; never changed after New
	order    []string              // logins in the order of Config.Users, for the login page
	basePath string                // BaseURL's path without the trailing slash
	certPEM  string
	logger   *slog.Logger

	mu  sync.Mutex
	sps map[string]*saml.EntityDescriptor // by entity ID; guarded by mu
}

// New returns an IdP with a newly generated RSA-2048 signing key and a self-signed
// certificate, valid from an hour before Now for a year.
func New(cfg Config) (*IdP, error) {
	if cfg.BaseURL == nil || !cfg.BaseURL.IsAbs() || cfg.BaseURL.Host == "" {
		return nil, errors.New("new devidp: BaseURL must be an absolute URL")
	}
	if len(cfg.Users) == 0 {
		cfg.Users = SampleUsers()
	}
	if err := validateUsers(cfg.Users); err != nil {
		return nil, fmt.Errorf("new devidp: %w", err)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	key, cert, err := newSigningKey(cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("new devidp: %w", err)
	}
	p := &IdP{
		users:    map[string]User{},
		basePath: "/" + strings.Trim(cfg.BaseURL.Path, "/"),
		certPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
		logger:   cfg.Logger,
		sps:      map[string]*saml.EntityDescriptor{},
	}
	for _, u := range cfg.Users {
		p.users[u.Login] = u
		p.order = append(p.order, u.Login)
	}
	p.idp = saml.IdentityProvider{
		Key:                     key,
		Certificate:             cert,
		Logger:                  log.New(io.Discard, "", 0),
		MetadataURL:             *cfg.BaseURL.JoinPath("metadata"),
		SSOURL:                  *cfg.BaseURL.JoinPath("sso"),
		ServiceProviderProvider: serviceProviders{p},
		SessionProvider:         loginPage{p},
		AssertionMaker:          assertionMaker{},
		SignatureMethod:         dsig.RSASHA256SignatureMethod,
		NameIDFormats:           []saml.NameIDFormat{saml.EmailAddressNameIDFormat},
		Clock:                   dsig.NewFakeClock(clock{clockwork.NewRealClock(), cfg.Now}),
		ResponseFormTemplate:    responseFormPage,
		OnError:                 p.refuse,
	}
	return p, nil
}

// newSigningKey generates the RSA-2048 key and its self-signed certificate.
func newSigningKey(now time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, nil, fmt.Errorf("generate serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Gatehouse development IdP (not for production)"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("create certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parse certificate: %w", err)
	}
	return key, cert, nil
}

// clock is the real clock with Config.Now's time, for crewjam and goxmldsig.
type clock struct {
	clockwork.Clock
	now func() time.Time
}

func (c clock) Now() time.Time { return c.now() }

// EntityID returns the IdP's entity ID, which is also its metadata URL.
func (p *IdP) EntityID() string { return p.idp.MetadataURL.String() }

// MetadataURL returns the URL that serves MetadataXML.
func (p *IdP) MetadataURL() string { return p.idp.MetadataURL.String() }

// SSOURL returns the single sign-on URL, for the HTTP-Redirect binding.
func (p *IdP) SSOURL() string { return p.idp.SSOURL.String() }

// CertificatePEM returns the signing certificate, PEM-encoded.
func (p *IdP) CertificatePEM() string { return p.certPEM }

// MetadataXML returns the IdP's SAML metadata: entity ID, signing certificate,
// emailAddress NameID format and the HTTP-Redirect SSO endpoint.
func (p *IdP) MetadataXML() []byte {
	md := p.idp.Metadata()
	sso := &md.IDPSSODescriptors[0]
	sso.SingleSignOnServices = []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: p.SSOURL()}}
	sso.KeyDescriptors = sso.KeyDescriptors[:1] // signing; the IdP decrypts nothing
	data, err := xml.MarshalIndent(md, "", "  ")
	if err != nil {
		// Marshalling a crewjam EntityDescriptor only fails on a bug.
		panic(fmt.Sprintf("devidp: marshal metadata: %v", err))
	}
	return append([]byte(xml.Header), data...)
}

// AddServiceProvider registers (or replaces) the service provider entityID, whose
// assertion consumer service takes HTTP-POST at acsURL.
func (p *IdP) AddServiceProvider(entityID, acsURL string) error {
	if entityID == "" {
		return errors.New("add service provider: empty entity ID")
	}
	u, err := url.Parse(acsURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("add service provider %q: ACS URL %q is not an absolute URL", entityID, acsURL)
	}
	p.addEntity(&saml.EntityDescriptor{
		EntityID: entityID,
		SPSSODescriptors: []saml.SPSSODescriptor{{
			AssertionConsumerServices: []saml.IndexedEndpoint{{Binding: saml.HTTPPostBinding, Location: acsURL}},
		}},
	})
	return nil
}

// AddServiceProviderMetadata registers (or replaces) the service provider that SP
// metadata describes (an md:EntityDescriptor). When the metadata says
// AuthnRequestsSigned="true", its requests must be signed by a key it lists.
func (p *IdP) AddServiceProviderMetadata(metadata []byte) error {
	var md saml.EntityDescriptor
	if err := xml.Unmarshal(metadata, &md); err != nil {
		return fmt.Errorf("add service provider metadata: %w", err)
	}
	if md.EntityID == "" || len(md.SPSSODescriptors) == 0 {
		return errors.New("add service provider metadata: not an SP EntityDescriptor")
	}
	p.addEntity(&md)
	return nil
}

func (p *IdP) addEntity(md *saml.EntityDescriptor) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sps[md.EntityID] = md
}

// serviceProviders is the saml.ServiceProviderProvider of the registered SPs.
type serviceProviders struct{ p *IdP }

func (s serviceProviders) GetServiceProvider(_ *http.Request, entityID string) (*saml.EntityDescriptor, error) {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	md, ok := s.p.sps[entityID]
	if !ok {
		// crewjam's contract: os.ErrNotExist means an unknown SP, refused with 400.
		return nil, os.ErrNotExist
	}
	return md, nil
}
