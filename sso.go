package gatehouse

import (
	"net/url"
	"time"
)

// AttributeNames say which SAML attributes carry a user's login, name,
// email and groups.
type AttributeNames struct {
	Login  string
	Name   string
	Email  string // "" when the IdP sends no email
	Groups string // "" when the IdP sends no groups
}

// Attribute name presets (SPEC §2).
var (
	// DefaultAttributes suit Okta and any IdP where the admin names the
	// attributes.
	DefaultAttributes = AttributeNames{Login: "login", Name: "name", Email: "email", Groups: "groups"}
	// EntraAttributes are the claim names of Microsoft Entra ID.
	EntraAttributes = AttributeNames{
		Login:  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
		Name:   "http://schemas.microsoft.com/identity/claims/displayname",
		Email:  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
		Groups: "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
	}
)

// GroupsOverageClaim is the attribute Entra ID sends instead of the groups
// when a user has more groups than a SAML token may carry (150).
const GroupsOverageClaim = "http://schemas.microsoft.com/claims/groups.link"

// DefaultClockSkew is the clock difference allowed between IdP and SP.
const DefaultClockSkew = 90 * time.Second

// MaxClockSkew bounds the configurable clock skew. It equals the outer bound
// crewjam/saml applies to every assertion, so a larger value would be dead.
const MaxClockSkew = 180 * time.Second

// An SSOConnection is an enterprise's SAML identity provider and how to
// read its assertions. An enterprise has at most one.
type SSOConnection struct {
	EnterpriseID int64
	// IdPEntityID is the expected Issuer.
	IdPEntityID string
	// SSOURL is the IdP's HTTP-Redirect single sign-on endpoint.
	SSOURL string
	// Certificates are the IdP's signing certificates, PEM; one or more,
	// several during a rollover.
	Certificates []string
	// MetadataURL is where the IdP metadata is fetched from, or "" when the
	// connection was set up from XML or by hand.
	MetadataURL string
	// MetadataFetchedAt is when MetadataURL was last fetched successfully.
	MetadataFetchedAt time.Time // UTC; zero if never
	Attributes        AttributeNames
	// SignRequests makes Gatehouse sign its AuthnRequests with the SP key.
	SignRequests bool
	// WantEncryptedAssertions requires assertions encrypted to the SP key.
	WantEncryptedAssertions bool
	// AllowSHA1 accepts SHA-1 signatures, refused by default.
	AllowSHA1 bool
	// ClockSkew is the allowed clock difference, 0 to MaxClockSkew.
	ClockSkew time.Duration
	// SPKey and SPCertificate (PEM) are the enterprise's own key pair, for
	// signing requests and decrypting assertions. Generated once.
	SPKey         string
	SPCertificate string
	CreatedAt     time.Time // UTC
	UpdatedAt     time.Time // UTC
}

// Validate reports the first field of c that breaks a rule. It does not
// parse certificates: the saml package does that when it builds a
// ServiceProvider.
func (c *SSOConnection) Validate() error {
	if c.IdPEntityID == "" {
		return Invalidf("idp_entity_id", "The IdP entity ID is required.")
	}
	if len(c.IdPEntityID) > 1024 {
		return Invalidf("idp_entity_id", "The IdP entity ID is longer than 1024 characters.")
	}
	if err := validHTTPURL("sso_url", c.SSOURL); err != nil {
		return err
	}
	if c.MetadataURL != "" {
		if err := validHTTPURL("metadata_url", c.MetadataURL); err != nil {
			return err
		}
	}
	if len(c.Certificates) == 0 {
		return Invalidf("certificates", "At least one IdP signing certificate is required.")
	}
	if c.Attributes.Login == "" {
		return Invalidf("attributes.login", "The login attribute name is required.")
	}
	if c.Attributes.Name == "" {
		return Invalidf("attributes.name", "The name attribute name is required.")
	}
	if c.ClockSkew < 0 || c.ClockSkew > MaxClockSkew {
		return Invalidf("clock_skew_seconds", "The clock skew must be between 0 and %d seconds.", int(MaxClockSkew/time.Second))
	}
	return nil
}

func validHTTPURL(field, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Invalidf(field, "%q is not an http or https URL.", s)
	}
	return nil
}

// AuthnRequestLifetime is how long a login may take at the IdP.
const AuthnRequestLifetime = 10 * time.Minute

// An AuthnRequest is a pending SP-initiated login: the request Gatehouse
// sent to the IdP, waiting for its Response.
type AuthnRequest struct {
	// ID is the SAML request ID, which the Response's InResponseTo names.
	ID           string
	EnterpriseID int64
	// RelayState is the opaque reference sent to the IdP and echoed back.
	RelayState string
	// ReturnTo is the local path to go to after login.
	ReturnTo string
	// BrowserHash is the SHA-256 of the secret in the browser's binding
	// cookie: a Response is only accepted from the browser that started it.
	BrowserHash []byte
	// Test marks a Test SSO run, which shows what was received and writes
	// nothing.
	Test      bool
	CreatedAt time.Time // UTC
	ExpiresAt time.Time // UTC
}
