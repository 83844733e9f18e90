package login

import (
	"fmt"
	"reflect"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/saml"
)

// FinishSSO must verify a Response before its transaction starts, so as
// not to hold SQLite's write lock through XML and RSA work, and it must
// know the enterprise's connection and the pending request to verify it.
// Reading them in a transaction of their own made two transactions per
// login (issue SSO, item 8: at most one). So each node remembers what it
// read or wrote: the enterprise and connection of each key, and the
// pending requests it started. Both are checked inside the login
// transaction: the enterprise and connection are read again there, the
// connection must be unchanged (else the Response is verified again) and
// the allow list is applied as it is then, and the pending request must
// still be there to be consumed. A pending request never changes once written, so a copy of
// it is as good as a read.

// maxRememberedRequests bounds the pending requests a node remembers;
// past it, FinishSSO reads the others from the database.
const maxRememberedRequests = MaxPendingRequests

// A site is what the ACS of one enterprise needs before it reads the
// database: the enterprise and its connection as last read, and the
// ServiceProvider built from that connection. It never changes.
type site struct {
	e    *gatehouse.Enterprise
	conn *gatehouse.SSOConnection
	sp   *saml.ServiceProvider
}

// site returns the site of enterprise e with connection conn, both just
// read, and remembers it. It builds a ServiceProvider only when the
// connection changed since it last did.
func (s *Service) site(e *gatehouse.Enterprise, conn *gatehouse.SSOConnection) (*site, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &site{e: e, conn: conn}
	if old := s.sites[e.Key]; old != nil && old.e.ID == e.ID && sameConnection(old.conn, conn) {
		st.sp = old.sp
	} else {
		sp, err := saml.New(conn, s.BaseURL, e.Key)
		if err != nil {
			return nil, fmt.Errorf("build service provider of %q: %w", e.Key, err)
		}
		st.sp = sp
	}
	if s.sites == nil {
		s.sites = map[string]*site{}
	}
	s.sites[e.Key] = st
	return st, nil
}

// sameConnection reports whether a and b are the same settings. It does
// not trust UpdatedAt to tell: two changes may share a millisecond, or
// come from nodes whose clocks differ.
func sameConnection(a, b *gatehouse.SSOConnection) bool {
	x, y := *a, *b
	x.MetadataFetchedAt, x.CreatedAt, x.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	y.MetadataFetchedAt, y.CreatedAt, y.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
	return reflect.DeepEqual(x, y)
}

// rememberedSite returns the site of the enterprise with key as this node
// last read it, or nil.
func (s *Service) rememberedSite(key string) *site {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sites[key]
}

// remember keeps r, a pending request this node just recorded, until it
// expires or is consumed. When maxRememberedRequests are remembered it
// forgets the expired ones, and if none has expired, it does not keep r.
func (s *Service) remember(r *gatehouse.AuthnRequest, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxRememberedRequests {
		for relay, old := range s.requests {
			if !now.Before(old.ExpiresAt) {
				delete(s.requests, relay)
			}
		}
	}
	if len(s.requests) >= maxRememberedRequests {
		return
	}
	if s.requests == nil {
		s.requests = map[string]*gatehouse.AuthnRequest{}
	}
	s.requests[r.RelayState] = r
}

// recall returns the pending request with relayState that this node
// remembers, or nil.
func (s *Service) recall(relayState string) *gatehouse.AuthnRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[relayState]
}

// forget drops the pending request with relayState, once consumed.
func (s *Service) forget(relayState string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, relayState)
}
