package saml

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/gatehouse-sso/gatehouse"
)

// MaxMetadataBytes is the largest IdP metadata document Gatehouse reads.
const MaxMetadataBytes = 1 << 20

// DefaultFetchTimeout bounds FetchMetadata when neither the client nor the
// context sets a deadline.
const DefaultFetchTimeout = 10 * time.Second

// IdPMetadata is what an SSO connection takes from an IdP's metadata.
type IdPMetadata struct {
	// EntityID is the IdP entity ID, the Issuer of its responses.
	EntityID string
	// SSOURL is the IdP's HTTP-Redirect SingleSignOnService location.
	SSOURL string
	// Certificates are the IdP's signing certificates, PEM, in document
	// order, without duplicates. Never empty.
	Certificates []string
	// ValidUntil is the earliest validUntil of the metadata, the entity and
	// its IDPSSODescriptor; zero if none is set.
	ValidUntil time.Time // UTC
}

// ParseMetadata reads IdP metadata: an EntityDescriptor, or an
// EntitiesDescriptor whose first entity with an IDPSSODescriptor is used.
// Metadata that is not XML, carries a DOCTYPE, or lacks an
// IDPSSODescriptor, an HTTP-Redirect SingleSignOnService or a signing
// certificate is a *gatehouse.Error (EINVALID, field "metadata") saying
// what is missing.
func ParseMetadata(doc []byte) (*IdPMetadata, error) {
	if len(doc) > MaxMetadataBytes {
		return nil, invalidMetadata("The metadata is larger than %d bytes.", MaxMetadataBytes)
	}
	sh, err := scan(doc)
	if err != nil {
		// SPEC §3.3 applies to metadata too: no DTD or entities.
		return nil, invalidMetadata("The metadata is not usable XML: %v.", err)
	}
	var entity *saml.EntityDescriptor
	var validUntil time.Time
	switch sh.root {
	case "EntityDescriptor":
		entity = new(saml.EntityDescriptor)
		if err := xml.Unmarshal(doc, entity); err != nil {
			return nil, invalidMetadata("The metadata cannot be read: %v.", err)
		}
	case "EntitiesDescriptor":
		var entities saml.EntitiesDescriptor
		if err := xml.Unmarshal(doc, &entities); err != nil {
			return nil, invalidMetadata("The metadata cannot be read: %v.", err)
		}
		if entities.ValidUntil != nil {
			validUntil = *entities.ValidUntil
		}
		entity = firstIdP(&entities)
		if entity == nil {
			return nil, invalidMetadata("The metadata describes no identity provider (no IDPSSODescriptor).")
		}
	default:
		return nil, invalidMetadata("The metadata is a %s, not an EntityDescriptor.", clip(sh.root))
	}
	return idpMetadata(entity, validUntil)
}

// firstIdP returns the first entity of entities, depth first, that has an
// IDPSSODescriptor.
func firstIdP(entities *saml.EntitiesDescriptor) *saml.EntityDescriptor {
	for i := range entities.EntityDescriptors {
		if len(entities.EntityDescriptors[i].IDPSSODescriptors) > 0 {
			return &entities.EntityDescriptors[i]
		}
	}
	for i := range entities.EntitiesDescriptors {
		if e := firstIdP(&entities.EntitiesDescriptors[i]); e != nil {
			return e
		}
	}
	return nil
}

// idpMetadata takes what Gatehouse needs from entity. validUntil is that of
// the enclosing EntitiesDescriptor, or zero.
func idpMetadata(entity *saml.EntityDescriptor, validUntil time.Time) (*IdPMetadata, error) {
	if entity.EntityID == "" {
		return nil, invalidMetadata("The metadata has no entityID.")
	}
	if len(entity.IDPSSODescriptors) == 0 {
		return nil, invalidMetadata("The metadata describes no identity provider (no IDPSSODescriptor).")
	}
	m := &IdPMetadata{EntityID: entity.EntityID}
	validUntil = earliestSet(validUntil, entity.ValidUntil)
	for _, d := range entity.IDPSSODescriptors {
		if d.ValidUntil != nil {
			validUntil = earliestSet(validUntil, *d.ValidUntil)
		}
		for _, sso := range d.SingleSignOnServices {
			if sso.Binding == saml.HTTPRedirectBinding && m.SSOURL == "" {
				m.SSOURL = sso.Location
			}
		}
		for _, k := range d.KeyDescriptors {
			// saml-metadata 2.4.1.1: a KeyDescriptor without use is for both.
			if k.Use != "signing" && k.Use != "" {
				continue
			}
			for _, c := range k.KeyInfo.X509Data.X509Certificates {
				p, err := certificatePEM(c.Data)
				if err != nil {
					return nil, err
				}
				if !slices.Contains(m.Certificates, p) {
					m.Certificates = append(m.Certificates, p)
				}
			}
		}
	}
	switch {
	case m.SSOURL == "":
		return nil, invalidMetadata("The metadata has no SingleSignOnService with the HTTP-Redirect binding, which Gatehouse sends its requests with.")
	case len(m.Certificates) == 0:
		return nil, invalidMetadata("The metadata has no signing certificate (KeyDescriptor use=\"signing\" with an X509Certificate).")
	}
	m.ValidUntil = validUntil.UTC()
	return m, nil
}

// certificatePEM turns the base64 DER of an X509Certificate into PEM,
// checking that it parses.
func certificatePEM(data string) (string, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(data), ""))
	if err != nil {
		return "", invalidMetadata("A certificate in the metadata is not base64: %v.", err)
	}
	p := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	if _, err := parseCertificate(p, 0); err != nil {
		return "", invalidMetadata("A certificate in the metadata cannot be read.")
	}
	return p, nil
}

// FetchMetadata GETs IdP metadata from rawURL, an http or https URL. It
// gives up after DefaultFetchTimeout unless client or ctx sets a deadline,
// and refuses a body over MaxMetadataBytes rather than truncating it. A
// bad URL, an unreachable server, a status other than 200 or too large a
// body is a *gatehouse.Error (EINVALID, field "metadata_url"); ctx ending is
// a failure wrapping ctx.Err(). A nil client uses http.DefaultClient.
func FetchMetadata(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, gatehouse.Invalidf("metadata_url", "%q is not an http or https URL.", rawURL)
	}
	if client == nil {
		client = http.DefaultClient
	}
	parent := ctx
	if _, ok := ctx.Deadline(); !ok && client.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultFetchTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch metadata %q: %w", rawURL, err)
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
	resp, err := client.Do(req)
	if err != nil {
		if parent.Err() != nil {
			return nil, fmt.Errorf("fetch metadata %q: %w", rawURL, parent.Err())
		}
		return nil, gatehouse.Invalidf("metadata_url", "The metadata could not be fetched from %s: %v.", u.Redacted(), unwrapURLError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, gatehouse.Invalidf("metadata_url", "The metadata URL %s answered %s instead of 200 OK.", u.Redacted(), resp.Status)
	}
	if resp.ContentLength > MaxMetadataBytes {
		return nil, gatehouse.Invalidf("metadata_url", "The metadata at %s is %d bytes; Gatehouse reads at most %d.", u.Redacted(), resp.ContentLength, MaxMetadataBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxMetadataBytes+1))
	if err != nil {
		if parent.Err() != nil {
			return nil, fmt.Errorf("fetch metadata %q: %w", rawURL, parent.Err())
		}
		return nil, gatehouse.Invalidf("metadata_url", "The metadata could not be read from %s: %v.", u.Redacted(), err)
	}
	if len(body) > MaxMetadataBytes {
		return nil, gatehouse.Invalidf("metadata_url", "The metadata at %s is larger than %d bytes.", u.Redacted(), MaxMetadataBytes)
	}
	return body, nil
}

// unwrapURLError drops the "Get \"url\":" prefix that the message already
// has in its own words.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func invalidMetadata(format string, args ...any) error {
	return gatehouse.Invalidf("metadata", format, args...)
}

// earliestSet returns the earlier of a and b, ignoring a zero one.
func earliestSet(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero():
		return a
	}
	return earliest(a, b)
}
