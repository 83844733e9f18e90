package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

func testAuditEvents(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips every field", testAuditRoundTrip},
		{"filters and pages", testListAuditEvents},
		{"deletes events older than a time", testDeleteAuditEvents},
	})
}

func testAuditRoundTrip(t *testing.T, s store.Store) {
	e := &gatehouse.AuditEvent{Time: now, EnterpriseID: 7, OrganizationID: 8, Actor: "user:root", ActorUserID: 9,
		Type: gatehouse.AuditGroupAddMember, Target: "group:Devs",
		Details: map[string]any{"user": "bob", "count": 2.0, "groups": []any{"a", "b"}}}
	bare := &gatehouse.AuditEvent{Time: now, Actor: gatehouse.ActorSystem, Type: gatehouse.AuditUserRemove}
	MustTx(t, s, func(tx store.Tx) {
		check(t, "AppendAuditEvent", tx.AppendAuditEvent(e))
		check(t, "AppendAuditEvent", tx.AppendAuditEvent(bare))
	})
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.ListAuditEvents(store.AuditFilter{})
		check(t, "ListAuditEvents", err)
		if diff := cmp.Diff([]*gatehouse.AuditEvent{bare, e}, got, diffOpts...); diff != "" {
			t.Errorf("ListAuditEvents() newest first (-want +got):\n%s", diff)
		}
	})
}

func testDeleteAuditEvents(t *testing.T, s store.Store) {
	MustTx(t, s, func(tx store.Tx) {
		for i := range 5 {
			check(t, "AppendAuditEvent", tx.AppendAuditEvent(&gatehouse.AuditEvent{Time: now.Add(time.Duration(i) * time.Hour), Actor: "scim", Type: "user.create"}))
		}
		n, err := tx.DeleteAuditEventsBefore(now.Add(2 * time.Hour))
		check(t, "DeleteAuditEventsBefore", err)
		if n != 2 {
			t.Errorf("DeleteAuditEventsBefore() = %d; want 2", n)
		}
		left, err := tx.ListAuditEvents(store.AuditFilter{})
		check(t, "ListAuditEvents", err)
		if len(left) != 3 {
			t.Errorf("ListAuditEvents() = %d events left; want 3", len(left))
		}
	})
}

func testListAuditEvents(t *testing.T, s store.Store) {
	var es []*gatehouse.AuditEvent
	MustTx(t, s, func(tx store.Tx) {
		for i := range 120 {
			e := &gatehouse.AuditEvent{Time: now.Add(time.Duration(i) * time.Minute), EnterpriseID: int64(1 + i%2),
				OrganizationID: int64(10 + i%3), Actor: []string{"saml-sync", "scim", "user:root"}[i%3],
				Type:   []string{"user.create", "group.add_member", "token.create", "user.remove"}[i%4],
				Target: fmt.Sprintf("event:%d", i)}
			check(t, "AppendAuditEvent", tx.AppendAuditEvent(e))
			es = append(es, e)
		}
	})
	tests := []struct {
		name   string
		filter store.AuditFilter
		want   func(i int) bool // which of es, newest first
		limit  int
	}{
		{"the newest 100 by default", store.AuditFilter{}, func(i int) bool { return true }, 100},
		{"a limit", store.AuditFilter{Limit: 3}, func(i int) bool { return true }, 3},
		{"an enterprise", store.AuditFilter{EnterpriseID: 2}, func(i int) bool { return i%2 == 1 }, 100},
		{"an organization", store.AuditFilter{OrganizationID: 12}, func(i int) bool { return i%3 == 2 }, 100},
		{"types", store.AuditFilter{Types: []string{"user.create", "user.remove"}}, func(i int) bool { return i%4 == 0 || i%4 == 3 }, 100},
		{"an actor", store.AuditFilter{Actor: "scim"}, func(i int) bool { return i%3 == 1 }, 100},
		{"since and until", store.AuditFilter{Since: now.Add(10 * time.Minute), Until: now.Add(20 * time.Minute)}, func(i int) bool { return i >= 10 && i < 20 }, 100},
		{"before an ID", store.AuditFilter{BeforeID: es[50].ID, Limit: 5}, func(i int) bool { return i < 50 }, 5},
		{"every filter at once", store.AuditFilter{EnterpriseID: 1, OrganizationID: 10, Types: []string{"user.create"}, Actor: "saml-sync", Since: now, Until: now.Add(time.Hour)},
			func(i int) bool { return i%2 == 0 && i%3 == 0 && i%4 == 0 && i < 60 }, 100},
	}
	MustView(t, s, func(tx store.Tx) {
		for _, tt := range tests {
			var want []int64
			for i := len(es) - 1; i >= 0 && len(want) < tt.limit; i-- {
				if tt.want(i) {
					want = append(want, es[i].ID)
				}
			}
			got, err := tx.ListAuditEvents(tt.filter)
			check(t, "ListAuditEvents", err)
			if diff := cmp.Diff(want, pluck(got, auditID), diffOpts...); diff != "" {
				t.Errorf("%s: ListAuditEvents(%+v) IDs (-want +got):\n%s", tt.name, tt.filter, diff)
			}
		}
	})
}

func auditID(e *gatehouse.AuditEvent) int64 { return e.ID }
