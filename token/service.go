package token

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

// TouchInterval is how stale a token's last use may get before a request
// records it again. Last use decides the removal of tokens unused for 60
// days, so a minute of imprecision costs nothing and saves a write on
// nearly every request.
const TouchInterval = time.Minute

// Service creates, lists, revokes and authenticates tokens, and answers
// access checks. Its exported fields are set once, before use; it is safe
// for concurrent use.
type Service struct {
	Store store.Store
	// Now returns the current time; tests set it.
	Now func() time.Time

	mu sync.Mutex
	// touched holds when this node last recorded each token's use, so that
	// concurrent requests with one stale token write it once. Guarded by mu.
	touched map[int64]time.Time
}

// NewService returns a Service over st with the real clock.
func NewService(st store.Store) *Service {
	return &Service{Store: st, Now: time.Now}
}

// A Principal is who presents a token: a user, through a personal token,
// or an organization, through an organization token.
type Principal struct {
	Token *gatehouse.Token
	// User is the owner of a personal token, active at authentication;
	// nil for an organization token, which acts for no user.
	User *gatehouse.User
	// Organization is an organization token's organization; nil for a
	// personal token.
	Organization *gatehouse.Organization
}

// errUnknown refuses a well-formed token that does not exist: revoked,
// removed after 60 days unused, or never issued.
var errUnknown = gatehouse.Errorf(gatehouse.EUNAUTHORIZED,
	"The token is not valid: it was revoked, removed after 60 days unused, or never existed.")

// errInactive refuses the token of a deactivated user.
var errInactive = gatehouse.Errorf(gatehouse.EUNAUTHORIZED, "The token's user is deactivated.")

// Authenticate returns who presents the token secret from the client
// address. It refuses, as EUNAUTHORIZED, a malformed or unknown token, an
// expired one (saying when it expired) and a deactivated user's; as
// EFORBIDDEN, a client outside the IP allow list that applies (SPEC §6:
// the SSO user's enterprise for a personal token, the organization's
// enterprise for an organization token; a local user's tokens have none).
// It costs one indexed read, plus a write at most once per
// [TouchInterval] per token to record its use.
func (s *Service) Authenticate(ctx context.Context, secret string, client netip.Addr) (*Principal, error) {
	var p *Principal
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = s.authenticate(tx, secret, client)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, s.touch(ctx, p.Token)
}

// authenticate is Authenticate's read, inside tx.
func (s *Service) authenticate(tx store.Tx, secret string, client netip.Addr) (*Principal, error) {
	kind, h, err := parseHash(secret)
	if err != nil {
		return nil, err
	}
	a, err := tx.TokenAuth(h)
	if err != nil {
		return nil, unknown(err)
	}
	if err := s.admit(a.Token, kind, h, a.User != nil && a.User.Active, a.Enterprise, client); err != nil {
		return nil, err
	}
	if a.Token.Kind == gatehouse.TokenPersonal {
		return &Principal{Token: a.Token, User: a.User}, nil
	}
	return &Principal{Token: a.Token, Organization: a.Organization}, nil
}

// parseHash checks the form of secret and returns its kind and hash.
func parseHash(secret string) (kind string, h []byte, err error) {
	if kind, err = Parse(secret); err != nil {
		return "", nil, err
	}
	return kind, Hash(secret), nil
}

// unknown turns the store's ErrNotFound for a token into errUnknown.
func unknown(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errUnknown
	}
	return err
}

// admit applies the rules of use to the token k, read for a secret of
// kind whose hash is h, used from client. userActive is the Active flag
// of k's user; e is the enterprise whose IP allow list applies, or nil.
func (s *Service) admit(k *gatehouse.Token, kind string, h []byte, userActive bool, e *gatehouse.Enterprise, client netip.Addr) error {
	// The store found the row by its hash; comparing again in constant
	// time keeps a store that matched loosely from letting anyone in.
	if subtle.ConstantTimeCompare(k.Hash, h) != 1 || k.Kind != kind {
		return errUnknown
	}
	if k.Status(s.Now().UTC()) == gatehouse.TokenExpired {
		return gatehouse.Errorf(gatehouse.EUNAUTHORIZED, "The token %q expired on %s.", k.Name, k.ExpiresAt.UTC().Format(time.RFC3339))
	}
	// An organization token acts for its organization, not for the
	// administrator who created it.
	if k.Kind == gatehouse.TokenPersonal && !userActive {
		return errInactive
	}
	// SPEC §6: the allow list applies to SSO users' personal tokens and to
	// organization tokens. The store brings no enterprise for a local
	// user's token: it keeps working from anywhere while the account exists.
	if e != nil && !e.AllowsAddr(client) {
		return gatehouse.Errorf(gatehouse.EFORBIDDEN,
			"Requests from %s are not allowed: the IP allow list of enterprise %q does not include this address.", addrString(client), e.Key)
	}
	return nil
}

// addrString names client in a refusal.
func addrString(client netip.Addr) string {
	if !client.IsValid() {
		return "an unknown address"
	}
	return client.String()
}

// touch records the use of k now, unless its recorded use, or this node's
// last record of it, is less than TouchInterval old. A token revoked in
// the meantime is refused.
func (s *Service) touch(ctx context.Context, k *gatehouse.Token) error {
	now := s.Now().UTC()
	if now.Sub(k.LastUsedAt) < TouchInterval || !s.claimTouch(k.ID, now) {
		return nil
	}
	err := s.Store.Tx(ctx, func(tx store.Tx) error { return tx.TouchToken(k.ID, now) })
	if errors.Is(err, store.ErrNotFound) {
		return errUnknown
	}
	if err != nil {
		return fmt.Errorf("record use of token %d: %w", k.ID, err)
	}
	return nil
}

// maxTouched bounds the memory of claimTouch: past it, records older than
// TouchInterval, which decide nothing any more, are dropped.
const maxTouched = 10000

// claimTouch reports whether this request should record the use of token
// id at now, and if so notes that it does.
func (s *Service) claimTouch(id int64, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, ok := s.touched[id]; ok && now.Sub(last) < TouchInterval {
		return false
	}
	if s.touched == nil || len(s.touched) >= maxTouched {
		old := s.touched
		s.touched = make(map[int64]time.Time)
		for k, t := range old {
			if now.Sub(t) < TouchInterval {
				s.touched[k] = t
			}
		}
	}
	s.touched[id] = now
	return true
}

// Check reports whether p may act with permission perm in the
// organization with key organization and, if project is not "", on that
// project of it. A personal token has its user's permissions as they are
// now, read on every call. An organization token has scan in its own
// organization: on every project if its scope is empty, on the projects
// of its scope otherwise (and then not on the organization at large, when
// project is ""). An organization or project that does not exist is
// false. An unknown permission is EINVALID.
func (s *Service) Check(ctx context.Context, p *Principal, organization string, perm gatehouse.Permission, project string) (bool, error) {
	if err := validQuestion(organization, perm); err != nil {
		return false, err
	}
	var ok bool
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		ok, err = check(tx, p, organization, perm, project)
		return err
	})
	return ok, err
}

// CheckToken is [Service.Authenticate] then [Service.Check], with the same
// answers and refusals, in one statement outside any transaction: the
// whole of an access check asked with a token.
func (s *Service) CheckToken(ctx context.Context, secret string, client netip.Addr, organization string, perm gatehouse.Permission, project string) (bool, error) {
	if err := validQuestion(organization, perm); err != nil {
		return false, err
	}
	kind, h, err := parseHash(secret)
	if err != nil {
		return false, err
	}
	c, err := s.Store.TokenCheck(ctx, h, organization, perm, project)
	if err != nil {
		return false, unknown(err)
	}
	var e *gatehouse.Enterprise
	if c.EnterpriseKey != "" {
		e = &gatehouse.Enterprise{Key: c.EnterpriseKey, IPAllowList: c.IPAllowList}
	}
	if err := s.admit(c.Token, kind, h, c.UserActive, e, client); err != nil {
		return false, err
	}
	return allowed(c.Token, perm, c.OrganizationID, c.ProjectID, project != "", c.Holds), s.touch(ctx, c.Token)
}

// validQuestion refuses an access check that names no organization or an
// unknown permission.
func validQuestion(organization string, perm gatehouse.Permission) error {
	if organization == "" {
		return gatehouse.Invalidf("organization", "Name the organization to check, by key.")
	}
	if !perm.Valid() {
		return gatehouse.Invalidf("permission", "Permission %q is not one of %v.", perm, gatehouse.Permissions)
	}
	return nil
}

// check is Check's read, inside tx.
func check(tx store.Tx, p *Principal, organization string, perm gatehouse.Permission, project string) (bool, error) {
	o, err := tx.Organization(organization)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var projectID int64
	if project != "" {
		pr, err := tx.Project(o.ID, project)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
		if err == nil {
			projectID = pr.ID
		}
	}
	holds := false
	if p.User != nil {
		grants, err := tx.UserPermissions(p.User.ID, o.ID)
		if err != nil {
			return false, err
		}
		holds = slices.Contains(grants, store.PermissionGrant{OrganizationID: o.ID, Permission: perm})
	}
	return allowed(p.Token, perm, o.ID, projectID, project != "", holds), nil
}

// allowed decides an access check of token k for perm in the organization
// with organizationID (0: none such) and, if askedProject, on its project
// with projectID (0: none such). holds says whether a personal token's user
// holds perm there. A personal token has its user's permissions; an
// organization token has scan in its own organization, on every project
// if its scope is empty and on the projects of its scope otherwise.
func allowed(k *gatehouse.Token, perm gatehouse.Permission, organizationID, projectID int64, askedProject, holds bool) bool {
	if organizationID == 0 || askedProject && projectID == 0 {
		return false
	}
	if k.Kind == gatehouse.TokenPersonal {
		return holds
	}
	return organizationID == k.OrganizationID && perm == gatehouse.PermissionScan && inScope(k, projectID)
}

// inScope reports whether the organization token k covers the project
// with projectID, or the organization at large when projectID is 0.
func inScope(k *gatehouse.Token, projectID int64) bool {
	if len(k.ProjectIDs) == 0 {
		return true
	}
	return projectID != 0 && slices.Contains(k.ProjectIDs, projectID)
}

// A Summary is a token as its owner or an organization administrator
// sees it. Its Token's Hash is the only trace of the secret, which is
// shown once, at creation, and never kept.
type Summary struct {
	Token *gatehouse.Token
	// Status is Token.Status when the summary was made.
	Status string
	// Projects are the keys of an organization token's scope, in the
	// order of ProjectIDs; empty means every project of the organization.
	Projects []string
	// CreatedBy is the login of the user who created an organization
	// token; "" for a personal token, whose owner is its creator, and once
	// the creator's account is deleted.
	CreatedBy string
}

// A Created is a new token with its secret: the only time the secret is
// available. Show it to its holder once.
type Created struct {
	Summary
	Secret string
}

// newToken returns a token of kind with a fresh secret, named name,
// created at now, expiring at expiresAt (zero: never), and its secret.
// Its times are cut to the millisecond the store keeps, so that the answer
// to its creation shows what later reads will. An expiry not after now is
// EINVALID.
func newToken(kind, name string, now, expiresAt time.Time) (*gatehouse.Token, string, error) {
	now, expiresAt = now.UTC().Truncate(time.Millisecond), expiresAt.UTC().Truncate(time.Millisecond)
	if !expiresAt.IsZero() && !expiresAt.After(now) {
		return nil, "", gatehouse.Invalidf("expires_at", "The expiry date must be in the future.")
	}
	secret := New(kind)
	k := &gatehouse.Token{Kind: kind, Name: name, Hash: Hash(secret), CreatedAt: now, ExpiresAt: expiresAt}
	return k, secret, nil
}

// refuseTakenName refuses a new token named like one of tokens: names
// tell a holder's tokens apart in lists and in the audit log.
func refuseTakenName(tokens []*gatehouse.Token, name, owner string) error {
	for _, k := range tokens {
		if k.Name == name {
			return gatehouse.Errorf(gatehouse.ECONFLICT, "%s already has a token named %q: choose another name.", owner, name)
		}
	}
	return nil
}
