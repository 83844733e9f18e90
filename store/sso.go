package store

import (
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// SSOConnections stores each enterprise's SAML connection.
type SSOConnections interface {
	// PutSSOConnection inserts or replaces the enterprise's connection.
	// Replacing keeps the first creation time, which it sets in c.CreatedAt.
	PutSSOConnection(c *gatehouse.SSOConnection) error
	// SSOConnection returns the enterprise's connection.
	SSOConnection(enterpriseID int64) (*gatehouse.SSOConnection, error)
	// ListSSOConnectionsWithMetadataURL returns the connections that are
	// refreshed from a metadata URL, least recently fetched first.
	ListSSOConnectionsWithMetadataURL() ([]*gatehouse.SSOConnection, error)
	// DeleteSSOConnection removes the enterprise's connection.
	DeleteSSOConnection(enterpriseID int64) error
}

// AuthnRequests stores pending SP-initiated logins and the replay cache.
type AuthnRequests interface {
	// CreateAuthnRequest inserts r. A duplicate ID or relay state is ErrConflict.
	CreateAuthnRequest(r *gatehouse.AuthnRequest) error
	// AuthnRequestByRelayState returns the pending request with that relay
	// state, expired or not.
	AuthnRequestByRelayState(relayState string) (*gatehouse.AuthnRequest, error)
	// ConsumeAuthnRequest deletes the pending request with id; ErrNotFound
	// if another login consumed it first.
	ConsumeAuthnRequest(id string) error
	// CountAuthnRequests returns how many requests of the enterprise are
	// stored: the pending ones, and the expired ones that
	// DeleteExpiredAuthnRequests has not removed yet.
	CountAuthnRequests(enterpriseID int64) (int, error)
	// DeleteExpiredAuthnRequests removes requests that expired before t.
	DeleteExpiredAuthnRequests(t time.Time) (int, error)

	// RecordAssertion remembers that the enterprise accepted the assertion
	// with id until expiresAt. It is ErrConflict if it was recorded before.
	RecordAssertion(enterpriseID int64, id string, expiresAt time.Time) error
	// DeleteExpiredAssertions forgets assertions that expired before t.
	DeleteExpiredAssertions(t time.Time) (int, error)
}
