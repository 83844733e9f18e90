package login

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/netip"
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
// browser. returnTo is kept if it is a local path.
func (s *Service) StartSSO(ctx context.Context, key, returnTo, browserSecret string, client netip.Addr) (*SSOStart, error) {
	now := s.Now().UTC()
	var e *gatehouse.Enterprise
	var conn *gatehouse.SSOConnection
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		e, conn, err = connection(tx, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !e.AllowsAddr(client) {
		return nil, gatehouse.Refusef(gatehouse.RefusalIPNotAllowed, "%s", client)
	}
	start, req, err := s.newRequest(e, conn, returnTo, browserSecret, now)
	if err != nil {
		return nil, err
	}
	if err := s.Store.Tx(ctx, func(tx store.Tx) error { return addPending(tx, e, req) }); err != nil {
		return nil, err
	}
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

// FinishSSO verifies a Response posted to the ACS and signs the user in:
// JIT provisioning, group sync, session, all in one transaction (SPEC
// §3.3–3.8). A refusal is a *gatehouse.Refusal; it is recorded as an
// authentication.login_failed audit event and changes nothing else. An
// unknown enterprise is ENOTFOUND. Any other error is a failure.
func (s *Service) FinishSSO(ctx context.Context, in ACS) (*Result, error) {
	now := s.Now().UTC()
	var e *gatehouse.Enterprise
	var conn *gatehouse.SSOConnection
	var p pending
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if e, conn, err = connection(tx, in.EnterpriseKey); err != nil {
			return err
		}
		p, err = pendingRequest(tx, e, in, now)
		return err
	})
	if err != nil {
		return nil, s.refused(ctx, e, in, nil, err)
	}
	if p.req != nil && p.req.Test {
		return s.finishTest(ctx, e, conn, in, p.req, now)
	}
	id, err := s.verify(e, conn, in, p, now)
	if err != nil {
		return nil, s.refused(ctx, e, in, id, err)
	}
	res, err := s.signIn(ctx, e, conn, id, p.req, in.Client, now)
	if err != nil {
		return nil, s.refused(ctx, e, in, id, err)
	}
	return res, nil
}

// pendingRequest finds the request the RelayState names and checks that
// it is this enterprise's, unexpired and started by this browser. When it
// is not, pending.why says why, for the refusal.
func pendingRequest(tx store.Tx, e *gatehouse.Enterprise, in ACS, now time.Time) (pending, error) {
	if in.RelayState == "" {
		return pending{why: "the response came without the RelayState Gatehouse sent"}, nil
	}
	r, err := tx.AuthnRequestByRelayState(in.RelayState)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return pending{why: "no login in progress matches it: it was completed already, or never started here"}, nil
	case err != nil:
		return pending{}, err
	case r.EnterpriseID != e.ID:
		return pending{why: "the login was started for another enterprise"}, nil
	case !now.Before(r.ExpiresAt):
		return pending{why: "the login was started more than 10 minutes ago"}, nil
	// SPEC §3.2: a response is accepted only from the browser that started the login.
	case in.BrowserSecret == "" || subtle.ConstantTimeCompare(hash(in.BrowserSecret), r.BrowserHash) != 1:
		return pending{why: "the login was started in another browser"}, nil
	}
	return pending{req: r}, nil
}

// verify checks the client address and the Response, and refuses the
// Entra ID groups overage claim.
func (s *Service) verify(e *gatehouse.Enterprise, conn *gatehouse.SSOConnection, in ACS, p pending, now time.Time) (*gatehouse.Identity, error) {
	// SPEC §3.5: the enterprise's IP allow list applies to SSO logins.
	if !e.AllowsAddr(in.Client) {
		return nil, gatehouse.Refusef(gatehouse.RefusalIPNotAllowed, "%s", in.Client)
	}
	sp, err := s.provider(e, conn)
	if err != nil {
		return nil, err
	}
	var reqID string
	if p.req != nil {
		reqID = p.req.ID
	}
	id, err := sp.ParseResponse(in.SAMLResponse, saml.Expect{RequestID: reqID, Now: now})
	var r *gatehouse.Refusal
	if errors.As(err, &r) && r.Reason == gatehouse.RefusalUnknownRequest && p.why != "" {
		return nil, gatehouse.Refusef(gatehouse.RefusalUnknownRequest, "%s", p.why)
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

// signIn runs the login transaction, again if a concurrent login of the
// same user created the account first.
func (s *Service) signIn(ctx context.Context, e *gatehouse.Enterprise, conn *gatehouse.SSOConnection, id *gatehouse.Identity, req *gatehouse.AuthnRequest, client netip.Addr, now time.Time) (*Result, error) {
	for attempt := 1; ; attempt++ {
		var res *Result
		err := s.Store.Tx(ctx, func(tx store.Tx) error {
			var err error
			res, err = s.signInTx(tx, e, conn, id, req, client, now)
			return err
		})
		if errors.Is(err, errRetry) && attempt < 5 {
			continue
		}
		return res, err
	}
}

// signInTx consumes the request, records the assertion, provisions the
// user, syncs their groups and opens their session (SPEC §3.6–3.8).
func (s *Service) signInTx(tx store.Tx, e *gatehouse.Enterprise, conn *gatehouse.SSOConnection, id *gatehouse.Identity, req *gatehouse.AuthnRequest, client netip.Addr, now time.Time) (*Result, error) {
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
