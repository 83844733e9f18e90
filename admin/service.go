package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// Service administers Gatehouse's entities. Its fields are set once,
// before use.
type Service struct {
	Store store.Store
	// BaseURL is Gatehouse's public URL, from which SP entity IDs, ACS
	// URLs and SSO login URLs derive.
	BaseURL *url.URL
	// HTTPClient fetches IdP metadata; nil uses http.DefaultClient with
	// saml.DefaultFetchTimeout.
	HTTPClient *http.Client
	// Now returns the current time; tests set it.
	Now func() time.Time
}

// NewService returns a Service over st with the real clock, read to the
// millisecond: the store keeps times to the millisecond, so what a create
// answers equals what a later read answers.
func NewService(st store.Store, baseURL *url.URL) *Service {
	return &Service{Store: st, BaseURL: baseURL, Now: func() time.Time { return time.Now().Truncate(time.Millisecond) }}
}

// change runs fn in a write transaction with the actor's roles.
func (s *Service) change(ctx context.Context, a gatehouse.Actor, fn func(tx store.Tx, r *access.Roles) error) error {
	return s.Store.Tx(ctx, func(tx store.Tx) error {
		r, err := access.Of(tx, a)
		if err != nil {
			return err
		}
		return fn(tx, r)
	})
}

// read runs fn in a read-only transaction with the actor's roles.
func (s *Service) read(ctx context.Context, a gatehouse.Actor, fn func(tx store.Tx, r *access.Roles) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error {
		r, err := access.Of(tx, a)
		if err != nil {
			return err
		}
		return fn(tx, r)
	})
}

// record appends an audit event for a change a made inside tx.
func (s *Service) record(tx store.Tx, a gatehouse.Actor, e audit.Event) error {
	return audit.Record(tx, s.Now(), a, e)
}

// notFound turns store.ErrNotFound into an ENOTFOUND error that names what
// was looked for; other errors pass unchanged.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return gatehouse.Errorf(gatehouse.ENOTFOUND, format, args...)
	}
	return err
}

// conflict turns store.ErrConflict into an ECONFLICT error with the given
// message; other errors pass unchanged.
func conflict(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrConflict) {
		return gatehouse.Errorf(gatehouse.ECONFLICT, format, args...)
	}
	return err
}

// enterprise reads the enterprise with key.
func enterprise(tx store.Tx, key string) (*gatehouse.Enterprise, error) {
	e, err := tx.Enterprise(key)
	if err != nil {
		return nil, notFound(err, "Enterprise %q does not exist.", key)
	}
	return e, nil
}

// organization reads the organization with key.
func organization(tx store.Tx, key string) (*gatehouse.Organization, error) {
	o, err := tx.Organization(key)
	if err != nil {
		return nil, notFound(err, "Organization %q does not exist.", key)
	}
	return o, nil
}

// adminOrganization reads the organization with key and checks that r may
// administer it.
func adminOrganization(tx store.Tx, r *access.Roles, key string) (*gatehouse.Organization, error) {
	o, err := organization(tx, key)
	if err != nil {
		return nil, err
	}
	if !r.OrganizationAdmin(o) {
		return nil, access.Forbidden(fmt.Sprintf("administer organization %q", key))
	}
	return o, nil
}

// userByLogin reads the user with login.
func userByLogin(tx store.Tx, login string) (*gatehouse.User, error) {
	u, err := tx.UserByLogin(login)
	if err != nil {
		return nil, notFound(err, "User %q does not exist.", login)
	}
	return u, nil
}

// keepAdmins runs change and refuses it, with reason, if it leaves the
// organization without any admin while it had one before (SPEC §1, Owners).
func keepAdmins(tx store.Tx, o *gatehouse.Organization, reason string, change func() error) error {
	before, err := tx.OrganizationAdmins(o.ID)
	if err != nil {
		return fmt.Errorf("count admins of %q: %w", o.Key, err)
	}
	if err := change(); err != nil {
		return err
	}
	if len(before) == 0 {
		return nil
	}
	after, err := tx.OrganizationAdmins(o.ID)
	if err != nil {
		return fmt.Errorf("count admins of %q: %w", o.Key, err)
	}
	if len(after) == 0 {
		return gatehouse.Errorf(gatehouse.ECONFLICT, "%s would leave organization %q without any administrator. Give another user the Administer Organization permission first.", reason, o.Key)
	}
	return nil
}
