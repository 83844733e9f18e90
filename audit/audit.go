// Package audit records, lists and expires audit events. Every service
// records its events through Record inside the transaction of the change,
// so that a change and its event are written together or not at all.
package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

// An Event is what a service knows when it records a change; Record adds
// the time and the actor.
type Event struct {
	Type           string
	EnterpriseID   int64
	OrganizationID int64
	Target         string
	Details        map[string]any
}

// Record appends e, done by actor at now, inside tx.
func Record(tx store.Tx, now time.Time, actor gatehouse.Actor, e Event) error {
	ev := &gatehouse.AuditEvent{
		Time:           now.UTC(),
		EnterpriseID:   e.EnterpriseID,
		OrganizationID: e.OrganizationID,
		Actor:          actor.String(),
		ActorUserID:    actor.UserID(),
		Type:           e.Type,
		Target:         e.Target,
		Details:        e.Details,
	}
	if err := tx.AppendAuditEvent(ev); err != nil {
		return fmt.Errorf("record audit event %s: %w", e.Type, err)
	}
	return nil
}

// Expire deletes the events older than [gatehouse.AuditRetention] at now.
// Every node may run it at any time.
func Expire(ctx context.Context, st store.Store, now time.Time) (int, error) {
	var n int
	err := st.Tx(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteAuditEventsBefore(now.Add(-gatehouse.AuditRetention))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expire audit events: %w", err)
	}
	return n, nil
}
