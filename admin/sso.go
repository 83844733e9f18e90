package admin

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/saml"
	"github.com/gatehouse-sso/gatehouse/store"
)

// Attribute presets an admin may choose.
const (
	PresetDefault = "default" // login, name, email, groups (Okta and most IdPs)
	PresetEntra   = "entra"   // Microsoft Entra ID claim names
	PresetCustom  = "custom"  // none: exactly the names given, so email and groups may be left out
)

// MetadataRefreshInterval is how often a connection set up from a
// metadata URL is fetched again.
const MetadataRefreshInterval = 24 * time.Hour

// SSOInput is an SSO connection as an admin describes it: from metadata
// (a URL or the XML) or by hand, never both.
type SSOInput struct {
	MetadataURL  string
	MetadataXML  string
	IdPEntityID  string
	SSOURL       string
	Certificates []string
	// Preset names the attribute names to start from; Attributes fields
	// that are set override it.
	Preset                  string
	Attributes              gatehouse.AttributeNames
	SignRequests            bool
	WantEncryptedAssertions bool
	AllowSHA1               bool
	// ClockSkew nil means gatehouse.DefaultClockSkew.
	ClockSkew *time.Duration
}

// SSOView is an enterprise's SSO connection with what the admin copies
// into the IdP and into invitations (SPEC §2), and its setup warnings.
type SSOView struct {
	Connection  *gatehouse.SSOConnection
	EntityID    string
	ACSURL      string
	MetadataURL string
	// LoginURL is the SSO login URL to send users.
	LoginURL string
	Warnings []Warning
}

// PutSSO creates or replaces the SSO connection of the enterprise with
// key. Metadata given by URL is fetched (with a timeout and a size cap)
// before anything is written.
func (s *Service) PutSSO(ctx context.Context, a gatehouse.Actor, key string, in SSOInput) (*SSOView, error) {
	if err := s.mayAdminister(ctx, a, key); err != nil {
		return nil, err
	}
	conn, err := s.connectionFrom(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.ensureSPKey(ctx, key, conn); err != nil {
		return nil, err
	}
	var view *SSOView
	err = s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		conn.EnterpriseID = e.ID
		if err := s.putConnection(tx, e, conn); err != nil {
			return err
		}
		if err := s.record(tx, a, audit.Event{Type: gatehouse.AuditSSOUpdate, EnterpriseID: e.ID, Target: "enterprise:" + e.Key,
			Details: connectionDetails(conn)}); err != nil {
			return err
		}
		view, err = s.ssoView(tx, e, conn)
		return err
	})
	return view, err
}

// mayAdminister checks, before slow work, that a administers the
// enterprise with key. The transaction that writes checks it again.
func (s *Service) mayAdminister(ctx context.Context, a gatehouse.Actor, key string) error {
	return s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		_, err := adminEnterprise(tx, r, key)
		return err
	})
}

// connectionFrom builds a connection from in, fetching or parsing metadata.
func (s *Service) connectionFrom(ctx context.Context, in SSOInput) (*gatehouse.SSOConnection, error) {
	conn := &gatehouse.SSOConnection{IdPEntityID: strings.TrimSpace(in.IdPEntityID), SSOURL: strings.TrimSpace(in.SSOURL),
		Certificates: in.Certificates, SignRequests: in.SignRequests, WantEncryptedAssertions: in.WantEncryptedAssertions,
		AllowSHA1: in.AllowSHA1, ClockSkew: gatehouse.DefaultClockSkew}
	if in.ClockSkew != nil {
		conn.ClockSkew = *in.ClockSkew
	}
	attrs, err := attributeNames(in.Preset, in.Attributes)
	if err != nil {
		return nil, err
	}
	conn.Attributes = attrs
	if err := s.applyMetadata(ctx, conn, in); err != nil {
		return nil, err
	}
	if err := conn.Validate(); err != nil {
		return nil, err
	}
	if err := saml.ValidateCertificates(conn.Certificates); err != nil {
		return nil, err
	}
	return conn, nil
}

// applyMetadata fills conn's IdP fields from in's metadata, if it has some.
func (s *Service) applyMetadata(ctx context.Context, conn *gatehouse.SSOConnection, in SSOInput) error {
	hasManual := conn.IdPEntityID != "" || conn.SSOURL != "" || len(conn.Certificates) > 0
	var doc []byte
	switch {
	case in.MetadataURL != "" && in.MetadataXML != "":
		return gatehouse.Invalidf("metadata_xml", "Give the IdP metadata by URL or as XML, not both.")
	case (in.MetadataURL != "" || in.MetadataXML != "") && hasManual:
		return gatehouse.Invalidf("idp_entity_id", "Give the IdP metadata, or the entity ID, SSO URL and certificates by hand, not both.")
	case in.MetadataURL != "":
		// FetchMetadata's refusals name metadata_url, say why, and show the
		// URL without its password.
		var err error
		if doc, err = saml.FetchMetadata(ctx, s.HTTPClient, in.MetadataURL); err != nil {
			return err
		}
		conn.MetadataURL = in.MetadataURL
		conn.MetadataFetchedAt = s.Now().UTC()
	case in.MetadataXML != "":
		doc = []byte(in.MetadataXML)
	default:
		return nil
	}
	md, err := saml.ParseMetadata(doc)
	if err != nil {
		return err
	}
	conn.IdPEntityID, conn.SSOURL, conn.Certificates = md.EntityID, md.SSOURL, md.Certificates
	return nil
}

// attributeNames starts from preset and applies the names set in over.
func attributeNames(preset string, over gatehouse.AttributeNames) (gatehouse.AttributeNames, error) {
	var a gatehouse.AttributeNames
	switch preset {
	case "", PresetDefault, "okta":
		a = gatehouse.DefaultAttributes
	case PresetEntra:
		a = gatehouse.EntraAttributes
	case PresetCustom:
	default:
		return a, gatehouse.Invalidf("attributes.preset", "Preset %q is unknown; use %q, %q or %q.", preset, PresetDefault, PresetEntra, PresetCustom)
	}
	for _, f := range []struct {
		dst *string
		v   string
	}{
		{&a.Login, over.Login}, {&a.Name, over.Name}, {&a.Email, over.Email}, {&a.Groups, over.Groups},
	} {
		if v := strings.TrimSpace(f.v); v != "" {
			*f.dst = v
		}
	}
	return a, nil
}

// ensureSPKey gives conn the enterprise's existing SP key pair, or a new
// one when the enterprise has no connection yet. Generating a key takes
// tens of milliseconds, so it happens outside any transaction.
func (s *Service) ensureSPKey(ctx context.Context, key string, conn *gatehouse.SSOConnection) error {
	err := s.Store.View(ctx, func(tx store.Tx) error {
		e, err := enterprise(tx, key)
		if err != nil {
			return err
		}
		old, err := tx.SSOConnection(e.ID)
		if err != nil {
			return err
		}
		conn.SPKey, conn.SPCertificate, conn.CreatedAt = old.SPKey, old.SPCertificate, old.CreatedAt
		return nil
	})
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	conn.CreatedAt = s.Now().UTC()
	conn.SPKey, conn.SPCertificate, err = saml.NewSPKeyPair(s.Now())
	return err
}

// putConnection checks that a ServiceProvider builds from conn, and writes it.
func (s *Service) putConnection(tx store.Tx, e *gatehouse.Enterprise, conn *gatehouse.SSOConnection) error {
	conn.UpdatedAt = s.Now().UTC()
	if _, err := saml.New(conn, s.BaseURL, e.Key); err != nil {
		return err
	}
	return tx.PutSSOConnection(conn)
}

// connectionDetails describes conn for the audit log.
func connectionDetails(c *gatehouse.SSOConnection) map[string]any {
	return map[string]any{"idp_entity_id": c.IdPEntityID, "sso_url": c.SSOURL, "metadata_url": c.MetadataURL,
		"certificates": len(c.Certificates), "attributes": c.Attributes, "sign_requests": c.SignRequests,
		"want_encrypted_assertions": c.WantEncryptedAssertions, "allow_sha1": c.AllowSHA1,
		"clock_skew_seconds": int(c.ClockSkew / time.Second)}
}

// SSO returns the SSO connection of the enterprise with key.
func (s *Service) SSO(ctx context.Context, a gatehouse.Actor, key string) (*SSOView, error) {
	var view *SSOView
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		conn, err := tx.SSOConnection(e.ID)
		if err != nil {
			return notFound(err, "Enterprise %q has no SSO connection yet.", key)
		}
		view, err = s.ssoView(tx, e, conn)
		return err
	})
	return view, err
}

// ssoView returns conn with its URLs and warnings.
func (s *Service) ssoView(tx store.Tx, e *gatehouse.Enterprise, conn *gatehouse.SSOConnection) (*SSOView, error) {
	sp, err := saml.New(conn, s.BaseURL, e.Key)
	if err != nil {
		return nil, err
	}
	warnings, err := s.warnings(tx, e, conn)
	if err != nil {
		return nil, err
	}
	return &SSOView{Connection: conn, EntityID: sp.EntityID(), ACSURL: sp.ACSURL(), MetadataURL: sp.MetadataURL(),
		LoginURL: s.LoginURL(e.Key), Warnings: warnings}, nil
}

// LoginURL returns the SSO login URL of the enterprise with key, the one
// to paste into invitations (SPEC §2).
func (s *Service) LoginURL(key string) string {
	return s.BaseURL.String() + "/login/sso?enterprise_key=" + url.QueryEscape(key)
}

// DeleteSSO deletes the SSO connection of the enterprise with key. Unless
// force is set, it is refused while an organization of the enterprise
// would be left with no admin who can log in without SSO (SPEC §2).
func (s *Service) DeleteSSO(ctx context.Context, a gatehouse.Actor, key string, force bool) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		if _, err := tx.SSOConnection(e.ID); err != nil {
			return notFound(err, "Enterprise %q has no SSO connection.", key)
		}
		if !force {
			if org, err := orgWithoutLocalAdmin(tx, e); err != nil {
				return err
			} else if org != nil {
				return gatehouse.Errorf(gatehouse.ECONFLICT, "Deleting SSO would leave organization %q without an administrator who can log in without SSO. Give a local account the Administer Organization permission (or make one an enterprise administrator) first, or delete with force.", org.Key)
			}
		}
		if err := tx.DeleteSSOConnection(e.ID); err != nil {
			return err
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditSSODelete, EnterpriseID: e.ID, Target: "enterprise:" + e.Key,
			Details: map[string]any{"forced": force}})
	})
}

// orgWithoutLocalAdmin returns an organization of e that no local account
// administers, directly or as an enterprise admin, or nil.
func orgWithoutLocalAdmin(tx store.Tx, e *gatehouse.Enterprise) (*gatehouse.Organization, error) {
	admins, err := tx.EnterpriseAdmins(e.ID)
	if err != nil {
		return nil, err
	}
	for _, u := range admins {
		if u.Kind == gatehouse.UserLocal && u.Active {
			return nil, nil
		}
	}
	orgs, err := tx.ListOrganizations(store.OrganizationFilter{EnterpriseID: e.ID})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		ids, err := tx.OrganizationAdmins(o.ID)
		if err != nil {
			return nil, err
		}
		if ok, err := anyLocal(tx, ids); err != nil || !ok {
			return o, err
		}
	}
	return nil, nil
}

func anyLocal(tx store.Tx, userIDs []int64) (bool, error) {
	for _, id := range userIDs {
		u, err := tx.User(id)
		if err != nil {
			return false, fmt.Errorf("read admin %d: %w", id, err)
		}
		if u.Kind == gatehouse.UserLocal {
			return true, nil
		}
	}
	return false, nil
}
