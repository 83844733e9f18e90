package admin

import (
	"context"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/store"
)

// MaxAuditPage is the most events one AuditEvents call returns.
const MaxAuditPage = 500

// An AuditQuery narrows AuditEvents.
type AuditQuery struct {
	// Enterprise and Organization are keys; a user must name one they
	// administer. The operator may leave both empty.
	Enterprise   string
	Organization string
	Types        []string
	Actor        string
	Since, Until time.Time
	// BeforeID pages backwards from an earlier result.
	BeforeID int64
	// Limit is 1 to MaxAuditPage; 0 means 100.
	Limit int
}

// AuditEvents returns the matching audit events, newest first.
func (s *Service) AuditEvents(ctx context.Context, a gatehouse.Actor, q AuditQuery) ([]*gatehouse.AuditEvent, error) {
	if q.Limit < 0 || q.Limit > MaxAuditPage {
		return nil, gatehouse.Invalidf("limit", "limit must be between 1 and %d.", MaxAuditPage)
	}
	var out []*gatehouse.AuditEvent
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		f := store.AuditFilter{Types: q.Types, Actor: q.Actor, Since: q.Since, Until: q.Until, BeforeID: q.BeforeID, Limit: q.Limit}
		allowed := r.Operator()
		if q.Enterprise != "" {
			e, err := adminEnterprise(tx, r, q.Enterprise)
			if err != nil {
				return err
			}
			f.EnterpriseID, allowed = e.ID, true
		}
		if q.Organization != "" {
			o, err := adminOrganization(tx, r, q.Organization)
			if err != nil {
				return err
			}
			f.OrganizationID, allowed = o.ID, true
		}
		if !allowed {
			return access.Forbidden("read the audit log without naming an enterprise or organization you administer")
		}
		var err error
		out, err = tx.ListAuditEvents(f)
		return err
	})
	return out, err
}
