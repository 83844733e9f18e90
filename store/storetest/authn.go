package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

// newAuthnRequest returns a pending request with ID id and relay state
// "relay-"+id, expiring 10 minutes after now.
func newAuthnRequest(enterpriseID int64, id string) *gatehouse.AuthnRequest {
	return &gatehouse.AuthnRequest{ID: id, EnterpriseID: enterpriseID, RelayState: "relay-" + id, ReturnTo: "/organizations",
		BrowserHash: Hash("browser"), Test: true, CreatedAt: now, ExpiresAt: now.Add(gatehouse.AuthnRequestLifetime)}
}

func testAuthnRequests(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips, counts and consumes", testAuthnRequestRoundTrip},
		{"deletes expired requests", testDeleteExpiredAuthnRequests},
		{"the replay cache remembers an assertion until it expires", testReplayCache},
	})
	runErrCases(t, newStore, authnRequestsErrors)
}

// authnRequestsErrors are the writes and reads of AuthnRequests that must fail.
var authnRequestsErrors = []errCase{
	{"a taken ID is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		check(t, "CreateAuthnRequest", tx.CreateAuthnRequest(newAuthnRequest(f.Enterprise.ID, "id")))
		r := newAuthnRequest(f.Enterprise.ID, "id")
		r.RelayState = "other"
		return tx.CreateAuthnRequest(r)
	}, store.ErrConflict},
	{"a taken relay state is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		check(t, "CreateAuthnRequest", tx.CreateAuthnRequest(newAuthnRequest(f.Enterprise.ID, "id")))
		r := newAuthnRequest(f.Enterprise.ID, "id-2")
		r.RelayState = "relay-id"
		return tx.CreateAuthnRequest(r)
	}, store.ErrConflict},
	{"an unknown enterprise is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateAuthnRequest(newAuthnRequest(f.Enterprise.ID+100, "id"))
	}, store.ErrConflict},
	{"an assertion of an unknown enterprise is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.RecordAssertion(f.Enterprise.ID+100, "a", now)
	}, store.ErrConflict},
	{"an unknown relay state is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.AuthnRequestByRelayState("nope")
		return err
	}, store.ErrNotFound},
	{"consuming an unknown request is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.ConsumeAuthnRequest("nope")
	}, store.ErrNotFound},
}

func testAuthnRequestRoundTrip(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	r := newAuthnRequest(f.Enterprise.ID, "id-1")
	MustTx(t, s, func(tx store.Tx) {
		check(t, "CreateAuthnRequest", tx.CreateAuthnRequest(r))
		check(t, "CreateAuthnRequest", tx.CreateAuthnRequest(newAuthnRequest(f.Enterprise.ID, "id-2")))
	})
	MustTx(t, s, func(tx store.Tx) {
		got, err := tx.AuthnRequestByRelayState(r.RelayState)
		check(t, "AuthnRequestByRelayState", err)
		if diff := cmp.Diff(r, got, diffOpts...); diff != "" {
			t.Errorf("read back request (-want +got):\n%s", diff)
		}
		wantCount(t, tx, f.Enterprise.ID, 2)
		check(t, "ConsumeAuthnRequest", tx.ConsumeAuthnRequest(r.ID))
		wantErr(t, "ConsumeAuthnRequest(again)", tx.ConsumeAuthnRequest(r.ID), store.ErrNotFound)
		wantCount(t, tx, f.Enterprise.ID, 1)
	})
}

func testDeleteExpiredAuthnRequests(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		expired := newAuthnRequest(f.Enterprise.ID, "old")
		expired.ExpiresAt = now.Add(-time.Second)
		check(t, "CreateAuthnRequest", tx.CreateAuthnRequest(expired))
		check(t, "CreateAuthnRequest", tx.CreateAuthnRequest(newAuthnRequest(f.Enterprise.ID, "new")))
		got, err := tx.AuthnRequestByRelayState(expired.RelayState)
		check(t, "AuthnRequestByRelayState(expired)", err)
		if !got.ExpiresAt.Equal(expired.ExpiresAt) {
			t.Errorf("ExpiresAt = %v; want %v", got.ExpiresAt, expired.ExpiresAt)
		}
		n, err := tx.DeleteExpiredAuthnRequests(now)
		check(t, "DeleteExpiredAuthnRequests", err)
		if n != 1 {
			t.Errorf("DeleteExpiredAuthnRequests() = %d; want 1", n)
		}
		wantCount(t, tx, f.Enterprise.ID, 1)
	})
}

func testReplayCache(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var other int64
	MustTx(t, s, func(tx store.Tx) {
		other = MustEnterprise(t, tx, "other").ID
		check(t, "RecordAssertion", tx.RecordAssertion(f.Enterprise.ID, "a-1", now.Add(-time.Second)))
		check(t, "RecordAssertion", tx.RecordAssertion(f.Enterprise.ID, "a-2", now.Add(time.Second)))
		check(t, "RecordAssertion(another enterprise)", tx.RecordAssertion(other, "a-1", now.Add(time.Second)))
		wantErr(t, "RecordAssertion(again)", tx.RecordAssertion(f.Enterprise.ID, "a-1", now.Add(time.Hour)), store.ErrConflict)
		n, err := tx.DeleteExpiredAssertions(now)
		check(t, "DeleteExpiredAssertions", err)
		if n != 1 {
			t.Errorf("DeleteExpiredAssertions() = %d; want 1", n)
		}
		check(t, "RecordAssertion(after expiry)", tx.RecordAssertion(f.Enterprise.ID, "a-1", now.Add(time.Hour)))
		wantErr(t, "RecordAssertion(unexpired)", tx.RecordAssertion(f.Enterprise.ID, "a-2", now.Add(time.Hour)), store.ErrConflict)
	})
}

func wantCount(t *testing.T, tx store.Tx, enterpriseID int64, want int) {
	t.Helper()
	n, err := tx.CountAuthnRequests(enterpriseID)
	check(t, "CountAuthnRequests", err)
	if n != want {
		t.Errorf("CountAuthnRequests(%d) = %d; want %d", enterpriseID, n, want)
	}
}
