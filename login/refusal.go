package login

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/provision"
	"github.com/gatehouse-sso/gatehouse/store"
)

// refused records a refused SSO login as an authentication.login_failed
// event of enterprise e, in its own transaction, and returns err. Errors
// that are not refusals, and refusals before the enterprise is known,
// pass unchanged.
func (s *Service) refused(ctx context.Context, e *gatehouse.Enterprise, in ACS, id *gatehouse.Identity, err error) error {
	var r *gatehouse.Refusal
	if e == nil || !errors.As(err, &r) {
		return err
	}
	details := map[string]any{"method": "sso", "reason": string(r.Reason), "detail": r.Detail, "client": in.Client.String()}
	target := ""
	if id != nil {
		target = "login:" + id.Login
		details["groups_received"] = len(id.Groups)
	}
	recErr := s.Store.Tx(ctx, func(tx store.Tx) error {
		return audit.Record(tx, s.Now(), provision.SyncActor, audit.Event{Type: gatehouse.AuditLoginFailed, EnterpriseID: e.ID,
			Target: target, Details: details})
	})
	if recErr != nil {
		return fmt.Errorf("record refused login (%v): %w", r, recErr)
	}
	return err
}

// RefuseSSO records refusal r of a Response posted to the ACS of the
// enterprise with key before it could be read (a body too large, a form
// that does not parse), and returns r, whether or not the enterprise has
// an SSO connection: the body is checked first. An unknown key is
// ENOTFOUND.
func (s *Service) RefuseSSO(ctx context.Context, key string, client netip.Addr, r *gatehouse.Refusal) error {
	e, _, err := s.readConnection(ctx, key)
	var noConnection *gatehouse.Refusal
	if err != nil && !errors.As(err, &noConnection) {
		return err
	}
	return s.refused(ctx, e, ACS{EnterpriseKey: key, Client: client}, nil, r)
}
