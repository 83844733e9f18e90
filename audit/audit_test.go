package audit_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

var now = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

// mustOpen opens a store on a new SQLite file until the test ends.
func mustOpen(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// listEvents returns every event of st, newest first.
func listEvents(t *testing.T, st store.Store) []*gatehouse.AuditEvent {
	t.Helper()
	var es []*gatehouse.AuditEvent
	storetest.MustView(t, st, func(tx store.Tx) {
		var err error
		if es, err = tx.ListAuditEvents(store.AuditFilter{}); err != nil {
			t.Fatal(err)
		}
	})
	return es
}

func TestRecordAddsTheTimeAndTheActor(t *testing.T) {
	st := mustOpen(t)
	lena := &gatehouse.User{ID: 7, Login: "lena"}
	paris := time.FixedZone("Paris", 3600)
	tests := []struct {
		name  string
		actor gatehouse.Actor
		want  *gatehouse.AuditEvent
	}{
		{"a user is named by login, with their ID", gatehouse.UserActor(lena),
			&gatehouse.AuditEvent{Actor: "user:lena", ActorUserID: 7}},
		{"group sync is saml-sync, with no user ID", gatehouse.Actor{Kind: gatehouse.ActorSAMLSync, User: lena},
			&gatehouse.AuditEvent{Actor: gatehouse.ActorSAMLSync}},
		{"the operator has no user ID", gatehouse.Operator, &gatehouse.AuditEvent{Actor: gatehouse.ActorOperator}},
	}
	storetest.MustTx(t, st, func(tx store.Tx) {
		for _, tt := range tests {
			err := audit.Record(tx, now.In(paris), tt.actor, audit.Event{Type: gatehouse.AuditGroupAddMember, EnterpriseID: 1,
				OrganizationID: 2, Target: "group:Devs", Details: map[string]any{"case": tt.name}})
			if err != nil {
				t.Fatalf("Record(%s): %v", tt.name, err)
			}
		}
	})
	got := listEvents(t, st)
	if len(got) != len(tests) {
		t.Fatalf("Record wrote %d events; want %d", len(got), len(tests))
	}
	for i, tt := range tests {
		e := got[len(got)-1-i]
		want := *tt.want
		want.ID, want.Time, want.EnterpriseID, want.OrganizationID = e.ID, now, 1, 2
		want.Type, want.Target, want.Details = gatehouse.AuditGroupAddMember, "group:Devs", map[string]any{"case": tt.name}
		if diff := cmp.Diff(&want, e); diff != "" {
			t.Errorf("%s: Record wrote (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestExpireDeletesEventsOlderThanTheRetention(t *testing.T) {
	st := mustOpen(t)
	cutoff := now.Add(-gatehouse.AuditRetention)
	events := []struct {
		target string
		at     time.Time
		kept   bool
	}{
		{"a year old", now.Add(-365 * 24 * time.Hour), false},
		{"a millisecond past the retention", cutoff.Add(-time.Millisecond), false},
		{"exactly as old as the retention", cutoff, true},
		{"today's", now, true},
	}
	var kept []string
	storetest.MustTx(t, st, func(tx store.Tx) {
		for _, e := range events {
			if err := audit.Record(tx, e.at, gatehouse.Operator, audit.Event{Type: gatehouse.AuditOrgCreate, Target: e.target}); err != nil {
				t.Fatal(err)
			}
			if e.kept {
				kept = append([]string{e.target}, kept...)
			}
		}
	})
	n, err := audit.Expire(t.Context(), st, now)
	if err != nil {
		t.Fatalf("Expire: %v", err)
	}
	if want := len(events) - len(kept); n != want {
		t.Errorf("Expire() = %d; want %d", n, want)
	}
	var left []string
	for _, e := range listEvents(t, st) {
		left = append(left, e.Target)
	}
	if diff := cmp.Diff(kept, left); diff != "" {
		t.Errorf("events left after Expire, newest first (-want +got):\n%s", diff)
	}
}
