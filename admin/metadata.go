package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/saml"
	"github.com/gatehouse-sso/gatehouse/store"
)

// RefreshSSOMetadata fetches the IdP metadata of the enterprise's
// connection again, now, and applies any change of entity ID, SSO URL or
// certificates.
func (s *Service) RefreshSSOMetadata(ctx context.Context, a gatehouse.Actor, key string) (*SSOView, error) {
	var conn *gatehouse.SSOConnection
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		conn, err = tx.SSOConnection(e.ID)
		return notFound(err, "Enterprise %q has no SSO connection.", key)
	})
	if err != nil {
		return nil, err
	}
	if conn.MetadataURL == "" {
		return nil, gatehouse.Errorf(gatehouse.ECONFLICT, "The SSO connection of %q was not set up from a metadata URL: there is nothing to refresh.", key)
	}
	if err := s.refresh(ctx, a, conn); err != nil {
		return nil, err
	}
	return s.SSO(ctx, a, key)
}

// RefreshDueMetadata refreshes every connection whose metadata was last
// fetched more than MetadataRefreshInterval ago. Every node may run it:
// two nodes refreshing at once write the same result. It returns the
// failures, joined; one failing IdP does not stop the others.
func (s *Service) RefreshDueMetadata(ctx context.Context) error {
	var due []*gatehouse.SSOConnection
	err := s.Store.View(ctx, func(tx store.Tx) error {
		conns, err := tx.ListSSOConnectionsWithMetadataURL()
		for _, c := range conns {
			if s.Now().Sub(c.MetadataFetchedAt) >= MetadataRefreshInterval {
				due = append(due, c)
			}
		}
		return err
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range due {
		errs = append(errs, s.refresh(ctx, gatehouse.System, c))
	}
	return errors.Join(errs...)
}

// refresh fetches conn's metadata and writes what changed.
func (s *Service) refresh(ctx context.Context, a gatehouse.Actor, conn *gatehouse.SSOConnection) error {
	doc, err := saml.FetchMetadata(ctx, s.HTTPClient, conn.MetadataURL)
	if err != nil {
		return fmt.Errorf("refresh metadata from %s: %w", conn.MetadataURL, err)
	}
	md, err := saml.ParseMetadata(doc)
	if err != nil {
		return fmt.Errorf("refresh metadata from %s: %w", conn.MetadataURL, err)
	}
	if err := saml.ValidateCertificates(md.Certificates); err != nil {
		return fmt.Errorf("refresh metadata from %s: %w", conn.MetadataURL, err)
	}
	return s.Store.Tx(ctx, func(tx store.Tx) error {
		cur, err := tx.SSOConnection(conn.EnterpriseID)
		if err != nil || cur.MetadataURL != conn.MetadataURL {
			return err // deleted or re-pointed meanwhile: nothing to refresh
		}
		changed := cur.IdPEntityID != md.EntityID || cur.SSOURL != md.SSOURL || !slices.Equal(cur.Certificates, md.Certificates)
		cur.IdPEntityID, cur.SSOURL, cur.Certificates = md.EntityID, md.SSOURL, md.Certificates
		cur.MetadataFetchedAt = s.Now().UTC()
		if !changed {
			return tx.PutSSOConnection(cur)
		}
		e, err := tx.EnterpriseByID(cur.EnterpriseID)
		if err != nil {
			return err
		}
		if err := s.putConnection(tx, e, cur); err != nil {
			return err
		}
		details := connectionDetails(cur)
		details["refreshed_from_metadata"] = true
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditSSOUpdate, EnterpriseID: e.ID, Target: "enterprise:" + e.Key, Details: details})
	})
}

// SSOAttempts returns the enterprise's latest SSO login attempts, newest
// first: authentication.user_login and authentication.login_failed events
// with their outcome and reason.
func (s *Service) SSOAttempts(ctx context.Context, a gatehouse.Actor, key string, limit int) ([]*gatehouse.AuditEvent, error) {
	if limit <= 0 || limit > MaxAuditPage {
		limit = 50
	}
	var out []*gatehouse.AuditEvent
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		out, err = tx.ListAuditEvents(store.AuditFilter{EnterpriseID: e.ID,
			Types: []string{gatehouse.AuditUserLogin, gatehouse.AuditLoginFailed}, Limit: limit})
		return err
	})
	return out, err
}
