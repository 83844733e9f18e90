package sqlstore

import (
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

const auditColumns = "id, time, enterprise_id, organization_id, actor, actor_user_id, type, target, details"

func scanAuditEvent(s scanner) (*gatehouse.AuditEvent, error) {
	var e gatehouse.AuditEvent
	err := s.Scan(&e.ID, timeCol{&e.Time}, idCol{&e.EnterpriseID}, idCol{&e.OrganizationID}, &e.Actor,
		idCol{&e.ActorUserID}, &e.Type, &e.Target, jsonCol[map[string]any]{&e.Details})
	return &e, err
}

// AppendAuditEvent implements [store.AuditEvents].
func (t *tx) AppendAuditEvent(e *gatehouse.AuditEvent) error {
	details, err := jsonMap(e.Details)
	if err != nil {
		return fmt.Errorf("append audit event %q: %w", e.Type, err)
	}
	id, err := t.insertID(`INSERT INTO audit_events (time, enterprise_id, organization_id, actor, actor_user_id,
			type, target, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		millis(e.Time), nullID(e.EnterpriseID), nullID(e.OrganizationID), e.Actor, nullID(e.ActorUserID),
		e.Type, e.Target, details)
	if err != nil {
		return fmt.Errorf("append audit event %q: %w", e.Type, err)
	}
	e.ID = id
	return nil
}

// ListAuditEvents implements [store.AuditEvents].
func (t *tx) ListAuditEvents(f store.AuditFilter) ([]*gatehouse.AuditEvent, error) {
	var (
		q    = `SELECT ` + auditColumns + ` FROM audit_events WHERE 1 = 1`
		args []any
	)
	and := func(cond string, v any) {
		args = append(args, v)
		q += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.EnterpriseID != 0 {
		and("enterprise_id = $%d", f.EnterpriseID)
	}
	if f.OrganizationID != 0 {
		and("organization_id = $%d", f.OrganizationID)
	}
	if len(f.Types) > 0 {
		q += " AND type IN (" + placeholders(len(args)+1, len(f.Types)) + ")"
		for _, typ := range f.Types {
			args = append(args, typ)
		}
	}
	if f.Actor != "" {
		and("actor = $%d", f.Actor)
	}
	if !f.Since.IsZero() {
		and("time >= $%d", f.Since.UnixMilli())
	}
	if !f.Until.IsZero() {
		and("time < $%d", f.Until.UnixMilli())
	}
	if f.BeforeID != 0 {
		and("id < $%d", f.BeforeID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	es, err := list(t, scanAuditEvent, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	return es, nil
}

// DeleteAuditEventsBefore implements [store.AuditEvents].
func (t *tx) DeleteAuditEventsBefore(before time.Time) (int, error) {
	n, err := t.exec(`DELETE FROM audit_events WHERE time < $1`, before.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete audit events before %v: %w", before, err)
	}
	return int(n), nil
}
