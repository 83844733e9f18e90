package samltest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// What a CatalogueCase wants besides a gatehouse.RefusalReason.
const (
	// WantAccept marks a baseline that must be accepted.
	WantAccept = "accept"
	// WantWhole marks an injection that must be refused or accepted with
	// the whole value.
	WantWhole = "whole"
)

// Requests a CatalogueCase may need recorded instead of its own.
const (
	RequestOtherEnterprise = "other-enterprise"
	RequestOtherBrowser    = "other-browser"
	RequestAfterValid      = "after-valid"
)

// A Catalogue is the attack catalogue of saml/testdata/catalogue:
// Responses signed by xmlsec1 and then altered, and what Gatehouse must
// answer to each (manifest.json; README.md beside it says how to add a
// case). Every case is made for the SP of enterprise Enterprise at BaseURL,
// answering pending request RequestID, checked at Now.
type Catalogue struct {
	// Dir is the catalogue's directory.
	Dir         string    `json:"-"`
	Now         time.Time `json:"now"`
	BaseURL     string    `json:"base_url"`
	Enterprise  string    `json:"enterprise"`
	IdPEntityID string    `json:"idp_entity_id"`
	// Certificate is the IdP certificate, relative to the saml directory.
	Certificate string          `json:"certificate"`
	RequestID   string          `json:"request_id"`
	Cases       []CatalogueCase `json:"cases"`
}

// A CatalogueCase is one attack (or baseline) of the catalogue, as
// manifest.json holds it.
type CatalogueCase struct {
	Name string `json:"name"`
	File string `json:"file"`
	// Attack says what the attacker tries and what must stop it.
	Attack string `json:"attack"`
	// Want is the gatehouse.RefusalReason the case must be refused with,
	// WantAccept or WantWhole.
	Want string `json:"want"`
	// Login, NameID and Groups are the values an accepted case must carry.
	Login  string   `json:"login,omitempty"`
	NameID string   `json:"nameid,omitempty"`
	Groups []string `json:"groups,omitempty"`
	// Request is whose pending request the ACS finds: "" for the one the
	// case answers, of the catalogue's enterprise and this browser;
	// RequestOtherEnterprise or RequestOtherBrowser for that request,
	// recorded for another enterprise or another browser;
	// RequestAfterValid for the replay: valid-both-signed is accepted
	// first, then the case answers a second pending request, RequestID.
	Request string `json:"request,omitempty"`
	// RequestID is the request the case answers, when not the catalogue's.
	RequestID string `json:"request_id,omitempty"`
	// Trust is the certificate to trust instead of the catalogue's,
	// relative to the saml directory.
	Trust string `json:"trust,omitempty"`
	// Pad is how many bytes of comment to add inside the Response before
	// posting it: the tests make oversized bodies instead of storing them.
	Pad int `json:"pad,omitempty"`
}

// LoadCatalogue reads the catalogue in dir.
func LoadCatalogue(dir string) (*Catalogue, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	c := &Catalogue{Dir: dir}
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, fmt.Errorf("load catalogue: %w", err)
	}
	return c, nil
}

// Reason returns the refusal the case must get, or "" for WantAccept and
// WantWhole.
func (cc CatalogueCase) Reason() gatehouse.RefusalReason {
	if cc.Want == WantAccept || cc.Want == WantWhole {
		return ""
	}
	return gatehouse.RefusalReason(cc.Want)
}

// Answers returns the ID of the request the case's Response answers.
func (c *Catalogue) Answers(cc CatalogueCase) string {
	if cc.RequestID != "" {
		return cc.RequestID
	}
	return c.RequestID
}

// XML returns the case's Response, padded as it says.
func (c *Catalogue) XML(cc CatalogueCase) ([]byte, error) {
	doc, err := os.ReadFile(filepath.Join(c.Dir, cc.File))
	if err != nil {
		return nil, fmt.Errorf("catalogue case %s: %w", cc.Name, err)
	}
	if cc.Pad > 0 {
		// A comment after the Issuer: exclusive canonicalization drops it,
		// so the signatures still verify.
		const issuerEnd = "</saml:Issuer>"
		s := string(doc)
		i := strings.Index(s, issuerEnd) + len(issuerEnd)
		doc = []byte(s[:i] + "<!--" + strings.Repeat("x", cc.Pad) + "-->" + s[i:])
	}
	return doc, nil
}

// Response returns the case's SAMLResponse form value.
func (c *Catalogue) Response(cc CatalogueCase) (string, error) {
	doc, err := c.XML(cc)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(doc), nil
}

// Connection returns the SSO connection the case is checked with: the
// catalogue's IdP, trusting its certificate (or the case's), with the
// default attribute names and clock skew.
func (c *Catalogue) Connection(cc CatalogueCase) (*gatehouse.SSOConnection, error) {
	cert := c.Certificate
	if cc.Trust != "" {
		cert = cc.Trust
	}
	pem, err := os.ReadFile(filepath.Join(c.Dir, "..", "..", cert))
	if err != nil {
		return nil, fmt.Errorf("catalogue case %s: %w", cc.Name, err)
	}
	return &gatehouse.SSOConnection{
		IdPEntityID:  c.IdPEntityID,
		SSOURL:       "https://idp.example/sso",
		Certificates: []string{string(pem)},
		Attributes:   gatehouse.DefaultAttributes,
		ClockSkew:    gatehouse.DefaultClockSkew,
	}, nil
}
