package store

import (
	"time"

	"github.com/gatehouse-sso/gatehouse"
)

// AuditFilter narrows ListAuditEvents. Zero fields match everything.
type AuditFilter struct {
	EnterpriseID   int64
	OrganizationID int64
	// Types keeps events of any of these types.
	Types []string
	Actor string
	// Since and Until bound the event time: Since <= Time < Until.
	Since, Until time.Time
	// BeforeID pages backwards: only events with a smaller ID.
	BeforeID int64
	// Limit caps the result; 0 means 100.
	Limit int
}

// AuditEvents stores the audit log.
type AuditEvents interface {
	// AppendAuditEvent inserts e and sets e.ID.
	AppendAuditEvent(e *gatehouse.AuditEvent) error
	// ListAuditEvents returns the matching events, newest first.
	ListAuditEvents(f AuditFilter) ([]*gatehouse.AuditEvent, error)
	// DeleteAuditEventsBefore removes events older than t and returns how many.
	DeleteAuditEventsBefore(t time.Time) (int, error)
}
