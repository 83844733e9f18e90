package login

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"sync"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/saml"
	"github.com/gatehouse-sso/gatehouse/store"
)

// Service signs people in. Its fields are set once, before use.
type Service struct {
	Store store.Store
	// BaseURL is Gatehouse's public URL; the SP entity IDs and ACS URLs
	// derive from it.
	BaseURL *url.URL
	// Now returns the current time; tests set it.
	Now func() time.Time

	mu sync.Mutex
	// sites and requests are what the node remembers (see cache.go):
	// sites by enterprise key, pending requests by relay state.
	sites    map[string]*site                   // guarded by mu
	requests map[string]*gatehouse.AuthnRequest // guarded by mu
}

// NewService returns a Service over st with the real clock.
func NewService(st store.Store, baseURL *url.URL) *Service {
	return &Service{Store: st, BaseURL: baseURL, Now: time.Now}
}

// provider returns the ServiceProvider of enterprise e for conn, both
// just read, building it only when the connection changed since it was
// last built.
func (s *Service) provider(e *gatehouse.Enterprise, conn *gatehouse.SSOConnection) (*saml.ServiceProvider, error) {
	st, err := s.site(e, conn)
	if err != nil {
		return nil, err
	}
	return st.sp, nil
}

// connection reads the enterprise with key and its SSO connection. An
// unknown key is ENOTFOUND naming it; a missing connection is a
// RefusalNoConnection.
func connection(tx store.Tx, key string) (*gatehouse.Enterprise, *gatehouse.SSOConnection, error) {
	e, err := tx.Enterprise(key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, gatehouse.Errorf(gatehouse.ENOTFOUND, "There is no enterprise with key %q. Check the login URL you were given.", key)
	}
	if err != nil {
		return nil, nil, err
	}
	conn, err := tx.SSOConnection(e.ID)
	if errors.Is(err, store.ErrNotFound) {
		return e, nil, gatehouse.Refusef(gatehouse.RefusalNoConnection, "enterprise %q has no SSO connection", key)
	}
	return e, conn, err
}

// secret returns a new random secret, URL-safe, with 256 bits of entropy.
func secret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hash returns the SHA-256 of s.
func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// LocalPath returns p if it is a path on this site ("/x", not "//host" or
// "/\host" or "http:..."), and "" otherwise, so that a login never sends
// the browser elsewhere.
func LocalPath(p string) string {
	if p == "" || p[0] != '/' || len(p) > 1 && (p[1] == '/' || p[1] == '\\') {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return ""
		}
	}
	return p
}

// readConnection reads the enterprise with key and its SSO connection,
// as connection does, in a read-only transaction of its own.
func (s *Service) readConnection(ctx context.Context, key string) (*gatehouse.Enterprise, *gatehouse.SSOConnection, error) {
	var e *gatehouse.Enterprise
	var conn *gatehouse.SSOConnection
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		e, conn, err = connection(tx, key)
		return err
	})
	return e, conn, err
}

// Metadata returns the SP metadata of the enterprise with key, for its IdP.
func (s *Service) Metadata(ctx context.Context, key string) ([]byte, error) {
	e, conn, err := s.readConnection(ctx, key)
	if err != nil {
		return nil, err
	}
	sp, err := s.provider(e, conn)
	if err != nil {
		return nil, err
	}
	return sp.Metadata()
}
