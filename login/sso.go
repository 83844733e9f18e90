package login

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/saml"
	"github.com/gatehouse-sso/gatehouse/store"
)

// MaxPendingRequests bounds the pending logins of one enterprise, so that
// starting logins in a loop cannot fill the database.
const MaxPendingRequests = 10000

// DefaultReturnTo is where a login lands without a return path.
const DefaultReturnTo = "/organizations"

// An SSOStart is where to send the browser to log in at the IdP.
type SSOStart struct {
	// RedirectURL is the IdP's SSO URL with the AuthnRequest (HTTP-Redirect binding).
	RedirectURL string
	// BrowserSecret is the value of the browser's binding cookie: the one
	// it sent, or a new one to set.
	BrowserSecret string
}

// StartSSO starts an SP-initiated login to the enterprise with key:
// it records the AuthnRequest, bound to the browser whose binding cookie
// holds browserSecret ("" makes a new one), and returns where to send the
// browser. returnTo is kept if it is a local path. A refusal (no SSO
// connection, an address outside the IP allow list) is recorded as
// FinishSSO records its own, so that the admin sees in the SSO attempts
// why the user cannot log in.
func (s *Service) StartSSO(ctx context.Context, key, returnTo, browserSecret string, client netip.Addr) (*SSOStart, error) {
	now := s.Now().UTC()
	attempt := ACS{EnterpriseKey: key, Client: client}
	e, conn, err := s.readConnection(ctx, key)
	if err != nil {
		return nil, s.refused(ctx, e, attempt, nil, err)
	}
	// SPEC §3.5.
	if !e.AllowsAddr(client) {
		return nil, s.refused(ctx, e, attempt, nil, gatehouse.Refusef(gatehouse.RefusalIPNotAllowed, "%s", client))
	}
	start, req, err := s.newRequest(e, conn, returnTo, browserSecret, now)
	if err != nil {
		return nil, err
	}
	if err := s.Store.Tx(ctx, func(tx store.Tx) error { return addPending(tx, e, req) }); err != nil {
		return nil, err
	}
	s.remember(req, now)
	return start, nil
}

// newRequest makes an AuthnRequest of enterprise e, bound to the browser
// whose binding cookie holds browserSecret ("" makes a new one), and
// returns where to send the browser and the pending request to record.
func (s *Service) newRequest(e *gatehouse.Enterprise, conn *gatehouse.SSOConnection, returnTo, browserSecret string, now time.Time) (*SSOStart, *gatehouse.AuthnRequest, error) {
	sp, err := s.provider(e, conn)
	if err != nil {
		return nil, nil, err
	}
	if browserSecret == "" {
		browserSecret = secret()
	}
	relay := secret()
	id, redirect, err := sp.AuthnRequest(relay, now)
	if err != nil {
		return nil, nil, fmt.Errorf("make authn request for %q: %w", e.Key, err)
	}
	req := &gatehouse.AuthnRequest{ID: id, EnterpriseID: e.ID, RelayState: relay, ReturnTo: LocalPath(returnTo),
		BrowserHash: hash(browserSecret), CreatedAt: now, ExpiresAt: now.Add(gatehouse.AuthnRequestLifetime)}
	return &SSOStart{RedirectURL: redirect.String(), BrowserSecret: browserSecret}, req, nil
}

// addPending records req, unless too many logins of e are pending.
func addPending(tx store.Tx, e *gatehouse.Enterprise, req *gatehouse.AuthnRequest) error {
	n, err := tx.CountAuthnRequests(e.ID)
	if err != nil {
		return err
	}
	if n >= MaxPendingRequests {
		return gatehouse.Errorf(gatehouse.ERATELIMITED, "Too many logins to %q are in progress. Try again in a few minutes.", e.Key)
	}
	return tx.CreateAuthnRequest(req)
}

// An ACS is a Response posted to an enterprise's ACS URL.
type ACS struct {
	EnterpriseKey string
	SAMLResponse  string
	RelayState    string
	// BrowserSecret is the browser's binding cookie, "" if it sent none.
	BrowserSecret string
	Client        netip.Addr
}

// A Result is a successful login.
type Result struct {
	User *gatehouse.User
	// SessionSecret is the value of the session cookie to set.
	SessionSecret string
	// ReturnTo is the local path to go to.
	ReturnTo string
	// Test is set, and User and SessionSecret are not, when the Response
	// answered a Test SSO: nobody was signed in (see StartTestSSO).
	Test *TestReport
}

// pending is what the ACS knows of the request a Response answers.
type pending struct {
	req *gatehouse.AuthnRequest
	// why says why no usable request was found, when req is nil.
	why string
}

// prepared is what FinishSSO knows before it verifies a Response.
type prepared struct {
	site *site
	p    pending
	// remembered is set when all of it came from what this node
	// remembers, without reading the database.
	remembered bool
}

// FinishSSO verifies a Response posted to the ACS and signs the user in:
// JIT provisioning, group sync, session, all in one transaction (SPEC
// §3.3–3.8), and the only one when this node started the login. A
// refusal is a *gatehouse.Refusal; it is recorded as an
// authentication.login_failed audit event and changes nothing else. An
// unknown enterprise is ENOTFOUND. Any other error is a failure.
func (s *Service) FinishSSO(ctx context.Context, in ACS) (*Result, error) {
	now := s.Now().UTC()
	a, err := s.prepare(ctx, in, now, false)
	if err == nil && a.remembered && a.p.req != nil && a.p.req.Test {
		// A Test SSO reports on the connection as it is now.
		a, err = s.prepare(ctx, in, now, true)
	}
	if err != nil {
		return nil, s.refused(ctx, a.site.e, in, nil, err)
	}
	if a.p.req != nil && a.p.req.Test {
		res, err := s.finishTest(ctx, a.site, in, a.p.req, now)
		s.forget(in.RelayState)
		return res, err
	}
	for attempt := 1; ; attempt++ {
		id, err := s.verifyAfresh(ctx, &a, in, now)
		if err != nil {
			return nil, s.refused(ctx, a.site.e, in, id, err)
		}
		res, err := s.signIn(ctx, a.site, id, a.p.req, in.Client, now)
		if errors.Is(err, errStale) && attempt < 3 {
			if a, err = s.prepare(ctx, in, now, true); err != nil {
				return nil, s.refused(ctx, a.site.e, in, id, err)
			}
			continue
		}
		if err != nil {
			return nil, s.refused(ctx, a.site.e, in, id, err)
		}
		s.forget(in.RelayState)
		return res, nil
	}
}

// verifyAfresh verifies the Response as verify does. What this node
// remembers may be out of date: it may let a login through to its
// transaction, which checks it again, but not refuse one. So a refusal
// made with it is checked again with the enterprise and connection read
// afresh into *a, and the Response verified again if they changed.
func (s *Service) verifyAfresh(ctx context.Context, a *prepared, in ACS, now time.Time) (*gatehouse.Identity, error) {
	id, err := s.verify(*a, in, now)
	var r *gatehouse.Refusal
	if !a.remembered || !errors.As(err, &r) {
		return id, err
	}
	fresh, ferr := s.prepare(ctx, in, now, true)
	unchanged := ferr == nil && fresh.site.e.ID == a.site.e.ID && slices.Equal(fresh.site.e.IPAllowList, a.site.e.IPAllowList) &&
		sameConnection(fresh.site.conn, a.site.conn)
	*a = fresh
	switch {
	case ferr != nil:
		return nil, ferr
	case unchanged:
		return id, err
	}
	return s.verify(*a, in, now)
}

// prepare returns the site of the enterprise the Response is posted to
// and the pending request it answers, from what this node remembers, or
// else (or when fresh is set) read in one read-only transaction. When the
// enterprise exists, the site holds it even on error.
func (s *Service) prepare(ctx context.Context, in ACS, now time.Time, fresh bool) (prepared, error) {
	st := s.rememberedSite(in.EnterpriseKey)
	r := s.recall(in.RelayState)
	if !fresh && st != nil && (r != nil || in.RelayState == "") {
		return prepared{site: st, p: checkPending(st.e, r, in, now), remembered: true}, nil
	}
	var e *gatehouse.Enterprise
	var conn *gatehouse.SSOConnection
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if e, conn, err = connection(tx, in.EnterpriseKey); err != nil || in.RelayState == "" {
			return err
		}
		if r, err = tx.AuthnRequestByRelayState(in.RelayState); errors.Is(err, store.ErrNotFound) {
			r, err = nil, nil
		}
		return err
	})
	if err != nil {
		return prepared{site: &site{e: e}}, err
	}
	if st, err = s.site(e, conn); err != nil {
		return prepared{site: &site{e: e}}, err
	}
	return prepared{site: st, p: checkPending(e, r, in, now)}, nil
}

// checkPending checks that r, the request the RelayState names (nil if
// none), is this enterprise's, unexpired and started by this browser.
// When it is not, pending.why says why, for the refusal.
func checkPending(e *gatehouse.Enterprise, r *gatehouse.AuthnRequest, in ACS, now time.Time) pending {
	switch {
	case in.RelayState == "":
		return pending{why: "the response came without the RelayState Gatehouse sent"}
	case r == nil:
		return pending{why: "it was completed already, or never started here"}
	case r.EnterpriseID != e.ID:
		return pending{why: "the login was started for another enterprise"}
	case !now.Before(r.ExpiresAt):
		return pending{why: "the login was started more than 10 minutes ago"}
	// SPEC §3.2: a response is accepted only from the browser that started the login.
	case in.BrowserSecret == "" || subtle.ConstantTimeCompare(hash(in.BrowserSecret), r.BrowserHash) != 1:
		return pending{why: "the login was started in another browser"}
	}
	return pending{req: r}
}

// verify checks the client address and the Response, and refuses the
// Entra ID groups overage claim.
func (s *Service) verify(a prepared, in ACS, now time.Time) (*gatehouse.Identity, error) {
	// SPEC §3.5: the enterprise's IP allow list applies to SSO logins.
	if !a.site.e.AllowsAddr(in.Client) {
		return nil, gatehouse.Refusef(gatehouse.RefusalIPNotAllowed, "%s", in.Client)
	}
	var reqID string
	if a.p.req != nil {
		reqID = a.p.req.ID
	}
	id, err := a.site.sp.ParseResponse(in.SAMLResponse, saml.Expect{RequestID: reqID, Now: now})
	var r *gatehouse.Refusal
	if errors.As(err, &r) && r.Reason == gatehouse.RefusalUnknownRequest && a.p.why != "" {
		return nil, gatehouse.Refusef(gatehouse.RefusalUnknownRequest, "%s", a.p.why)
	}
	if err != nil {
		return nil, err
	}
	// SPEC §3.4: the overage claim refuses the login and leaves memberships as they were.
	if id.GroupsOverage {
		return id, gatehouse.Refusef(gatehouse.RefusalGroupsOverage, "the response carries %s instead of the groups", gatehouse.GroupsOverageClaim)
	}
	return id, nil
}

// errRetry asks signIn to run the login transaction again: a concurrent
// first login of the same user created the account first.
var errRetry = errors.New("retry login transaction")

// errStale reports that the enterprise or its connection changed after
// the Response was verified with them: FinishSSO verifies it again.
var errStale = errors.New("enterprise or sso connection changed during login")

// signIn runs the login transaction, again if a concurrent login of the
// same user created the account first.
func (s *Service) signIn(ctx context.Context, st *site, id *gatehouse.Identity, req *gatehouse.AuthnRequest, client netip.Addr, now time.Time) (*Result, error) {
	for attempt := 1; ; attempt++ {
		var res *Result
		err := s.Store.Tx(ctx, func(tx store.Tx) error {
			var err error
			res, err = s.signInTx(tx, st, id, req, client, now)
			return err
		})
		if errors.Is(err, errRetry) && attempt < 5 {
			continue
		}
		return res, err
	}
}

// signInTx checks that the site the Response was verified with is still
// the enterprise's, consumes the request, records the assertion,
// provisions the user, syncs their groups and opens their session (SPEC
// §3.6–3.8).
func (s *Service) signInTx(tx store.Tx, st *site, id *gatehouse.Identity, req *gatehouse.AuthnRequest, client netip.Addr, now time.Time) (*Result, error) {
	e, conn, err := connection(tx, st.e.Key)
	if err != nil {
		return nil, err
	}
	if e.ID != st.e.ID || !sameConnection(conn, st.conn) {
		return nil, errStale
	}
	// SPEC §3.5, with the allow list as it is now.
	if !e.AllowsAddr(client) {
		return nil, gatehouse.Refusef(gatehouse.RefusalIPNotAllowed, "%s", client)
	}
	if err := tx.ConsumeAuthnRequest(req.ID); errors.Is(err, store.ErrNotFound) {
		return nil, gatehouse.Refusef(gatehouse.RefusalUnknownRequest, "this login was completed already: the response was used before")
	} else if err != nil {
		return nil, err
	}
	// SPEC §3.3: the assertion ID is never accepted twice, on any node.
	if err := tx.RecordAssertion(e.ID, id.AssertionID, id.NotOnOrAfter.Add(conn.ClockSkew)); errors.Is(err, store.ErrConflict) {
		return nil, gatehouse.Refusef(gatehouse.RefusalReplayed, "assertion %q was used before", id.AssertionID)
	} else if err != nil {
		return nil, err
	}
	u, err := s.jitUser(tx, e, id, now)
	if err != nil {
		return nil, err
	}
	d, err := syncGroups(tx, u, id, now)
	if err != nil {
		return nil, err
	}
	return s.openSession(tx, u, id.Groups, now, audit.Event{Type: gatehouse.AuditUserLogin, EnterpriseID: e.ID,
		Details: map[string]any{"method": "sso", "client": client.String(), "groups_received": len(id.Groups),
			"groups_matched": len(d.Matched), "unmatched_groups": d.Unmatched}}, req.ReturnTo)
}
