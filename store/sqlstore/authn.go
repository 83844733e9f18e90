package sqlstore

import (
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

const authnRequestColumns = "id, enterprise_id, relay_state, return_to, browser_hash, test, created_at, expires_at"

func scanAuthnRequest(s scanner) (*gatehouse.AuthnRequest, error) {
	var r gatehouse.AuthnRequest
	err := s.Scan(&r.ID, &r.EnterpriseID, &r.RelayState, &r.ReturnTo, &r.BrowserHash, &r.Test,
		timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt})
	return &r, err
}

// CreateAuthnRequest implements [store.AuthnRequests].
func (t *tx) CreateAuthnRequest(r *gatehouse.AuthnRequest) error {
	err := t.insert(`INSERT INTO authn_requests (`+authnRequestColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		r.ID, r.EnterpriseID, r.RelayState, r.ReturnTo, r.BrowserHash, r.Test, millis(r.CreatedAt), millis(r.ExpiresAt))
	if err != nil {
		return fmt.Errorf("create authn request %q: %w", r.ID, err)
	}
	return nil
}

// AuthnRequestByRelayState implements [store.AuthnRequests].
func (t *tx) AuthnRequestByRelayState(relayState string) (*gatehouse.AuthnRequest, error) {
	r, err := get(t, scanAuthnRequest, `SELECT `+authnRequestColumns+` FROM authn_requests WHERE relay_state = $1`, relayState)
	if err != nil {
		return nil, fmt.Errorf("get authn request by relay state: %w", err)
	}
	return r, nil
}

// ConsumeAuthnRequest implements [store.AuthnRequests].
func (t *tx) ConsumeAuthnRequest(id string) error {
	if err := t.execOne(`DELETE FROM authn_requests WHERE id = $1`, id); err != nil {
		return fmt.Errorf("consume authn request %q: %w", id, err)
	}
	return nil
}

// CountAuthnRequests implements [store.AuthnRequests].
func (t *tx) CountAuthnRequests(enterpriseID int64) (int, error) {
	n, err := get(t, scanInt64, `SELECT count(*) FROM authn_requests WHERE enterprise_id = $1`, enterpriseID)
	if err != nil {
		return 0, fmt.Errorf("count authn requests of enterprise %d: %w", enterpriseID, err)
	}
	return int(n), nil
}

// DeleteExpiredAuthnRequests implements [store.AuthnRequests].
func (t *tx) DeleteExpiredAuthnRequests(before time.Time) (int, error) {
	n, err := t.exec(`DELETE FROM authn_requests WHERE expires_at < $1`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete expired authn requests: %w", err)
	}
	return int(n), nil
}

// RecordAssertion implements [store.AuthnRequests].
func (t *tx) RecordAssertion(enterpriseID int64, id string, expiresAt time.Time) error {
	err := t.insert(`INSERT INTO saml_assertions (enterprise_id, id, expires_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		enterpriseID, id, expiresAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("record assertion %q: %w", id, err)
	}
	return nil
}

// DeleteExpiredAssertions implements [store.AuthnRequests].
func (t *tx) DeleteExpiredAssertions(before time.Time) (int, error) {
	n, err := t.exec(`DELETE FROM saml_assertions WHERE expires_at < $1`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete expired assertions: %w", err)
	}
	return int(n), nil
}
