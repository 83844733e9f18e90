package sqlstore

import (
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

const ssoColumns = `enterprise_id, idp_entity_id, sso_url, certificates, metadata_url, metadata_fetched_at,
	login_attribute, name_attribute, email_attribute, groups_attribute, sign_requests,
	want_encrypted_assertions, allow_sha1, clock_skew_ms, sp_key, sp_certificate, created_at, updated_at`

func scanSSOConnection(s scanner) (*gatehouse.SSOConnection, error) {
	var c gatehouse.SSOConnection
	var skew int64
	err := s.Scan(&c.EnterpriseID, &c.IdPEntityID, &c.SSOURL, jsonCol[[]string]{&c.Certificates},
		stringCol{&c.MetadataURL}, timeCol{&c.MetadataFetchedAt},
		&c.Attributes.Login, &c.Attributes.Name, &c.Attributes.Email, &c.Attributes.Groups, &c.SignRequests,
		&c.WantEncryptedAssertions, &c.AllowSHA1, &skew, &c.SPKey, &c.SPCertificate,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	c.ClockSkew = time.Duration(skew) * time.Millisecond
	return &c, err
}

// PutSSOConnection implements [store.SSOConnections]. Replacing a
// connection keeps its creation time, which it copies to c.CreatedAt.
func (t *tx) PutSSOConnection(c *gatehouse.SSOConnection) error {
	certs, err := jsonList(c.Certificates)
	if err != nil {
		return fmt.Errorf("put sso connection of enterprise %d: %w", c.EnterpriseID, err)
	}
	created, err := get(t, scanInt64, `INSERT INTO sso_connections (`+ssoColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
		ON CONFLICT (enterprise_id) DO UPDATE SET
			idp_entity_id = excluded.idp_entity_id, sso_url = excluded.sso_url,
			certificates = excluded.certificates, metadata_url = excluded.metadata_url,
			metadata_fetched_at = excluded.metadata_fetched_at, login_attribute = excluded.login_attribute,
			name_attribute = excluded.name_attribute, email_attribute = excluded.email_attribute,
			groups_attribute = excluded.groups_attribute, sign_requests = excluded.sign_requests,
			want_encrypted_assertions = excluded.want_encrypted_assertions, allow_sha1 = excluded.allow_sha1,
			clock_skew_ms = excluded.clock_skew_ms, sp_key = excluded.sp_key,
			sp_certificate = excluded.sp_certificate, updated_at = excluded.updated_at
		RETURNING created_at`,
		c.EnterpriseID, c.IdPEntityID, c.SSOURL, certs, nullString(c.MetadataURL), millis(c.MetadataFetchedAt),
		c.Attributes.Login, c.Attributes.Name, c.Attributes.Email, c.Attributes.Groups, c.SignRequests,
		c.WantEncryptedAssertions, c.AllowSHA1, c.ClockSkew.Milliseconds(), c.SPKey, c.SPCertificate,
		millis(c.CreatedAt), millis(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put sso connection of enterprise %d: %w", c.EnterpriseID, err)
	}
	c.CreatedAt = time.UnixMilli(created).UTC()
	return nil
}

// SSOConnection implements [store.SSOConnections].
func (t *tx) SSOConnection(enterpriseID int64) (*gatehouse.SSOConnection, error) {
	c, err := get(t, scanSSOConnection, `SELECT `+ssoColumns+` FROM sso_connections WHERE enterprise_id = $1`, enterpriseID)
	if err != nil {
		return nil, fmt.Errorf("get sso connection of enterprise %d: %w", enterpriseID, err)
	}
	return c, nil
}

// ListSSOConnectionsWithMetadataURL implements [store.SSOConnections].
func (t *tx) ListSSOConnectionsWithMetadataURL() ([]*gatehouse.SSOConnection, error) {
	cs, err := list(t, scanSSOConnection, `SELECT `+ssoColumns+` FROM sso_connections
		WHERE metadata_url IS NOT NULL ORDER BY COALESCE(metadata_fetched_at, 0), enterprise_id`)
	if err != nil {
		return nil, fmt.Errorf("list sso connections with a metadata url: %w", err)
	}
	return cs, nil
}

// DeleteSSOConnection implements [store.SSOConnections].
func (t *tx) DeleteSSOConnection(enterpriseID int64) error {
	if err := t.execOne(`DELETE FROM sso_connections WHERE enterprise_id = $1`, enterpriseID); err != nil {
		return fmt.Errorf("delete sso connection of enterprise %d: %w", enterpriseID, err)
	}
	return nil
}
