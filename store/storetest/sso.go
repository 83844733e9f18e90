package storetest

import (
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

// newSSOConnection returns a connection of the enterprise with every field set.
func newSSOConnection(enterpriseID int64) *gatehouse.SSOConnection {
	return &gatehouse.SSOConnection{
		EnterpriseID:      enterpriseID,
		IdPEntityID:       "https://idp.example/entity",
		SSOURL:            "https://idp.example/sso",
		Certificates:      []string{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "second"},
		MetadataURL:       "https://idp.example/metadata",
		MetadataFetchedAt: now.Add(-time.Hour), Attributes: gatehouse.EntraAttributes,
		SignRequests: true, WantEncryptedAssertions: true, AllowSHA1: true, ClockSkew: 90 * time.Second,
		SPKey: "-----BEGIN PRIVATE KEY-----\n", SPCertificate: "-----BEGIN CERTIFICATE-----\n",
		CreatedAt: now, UpdatedAt: now,
	}
}

func testSSOConnections(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips every field", testSSOConnectionRoundTrip},
		{"putting again replaces it and keeps its creation time", testReplaceSSOConnection},
		{"lists those with a metadata URL, least recently fetched first", testListSSOConnections},
	})
	runErrCases(t, newStore, ssoConnectionsErrors)
}

// ssoConnectionsErrors are the writes and reads of SSOConnections that must fail.
var ssoConnectionsErrors = []errCase{
	{"an unknown enterprise is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.PutSSOConnection(newSSOConnection(f.Enterprise.ID + 100))
	}, store.ErrConflict},
	{"an enterprise without a connection is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.SSOConnection(f.Enterprise.ID)
		return err
	}, store.ErrNotFound},
	{"deleting a missing connection is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.DeleteSSOConnection(f.Enterprise.ID)
	}, store.ErrNotFound},
	{"deleting a connection", func(t *testing.T, tx store.Tx, f *Fixture) error {
		check(t, "PutSSOConnection", tx.PutSSOConnection(newSSOConnection(f.Enterprise.ID)))
		check(t, "DeleteSSOConnection", tx.DeleteSSOConnection(f.Enterprise.ID))
		_, err := tx.SSOConnection(f.Enterprise.ID)
		return err
	}, store.ErrNotFound},
}

func testSSOConnectionRoundTrip(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	c := newSSOConnection(f.Enterprise.ID)
	bare := &gatehouse.SSOConnection{EnterpriseID: createEnterprise(t, s, "bare"), IdPEntityID: "e", SSOURL: "https://x",
		Certificates: []string{"c"}, Attributes: gatehouse.AttributeNames{Login: "login", Name: "name"}, CreatedAt: now, UpdatedAt: now}
	MustTx(t, s, func(tx store.Tx) {
		check(t, "PutSSOConnection", tx.PutSSOConnection(c))
		check(t, "PutSSOConnection", tx.PutSSOConnection(bare))
	})
	MustView(t, s, func(tx store.Tx) {
		for _, want := range []*gatehouse.SSOConnection{c, bare} {
			got, err := tx.SSOConnection(want.EnterpriseID)
			check(t, "SSOConnection", err)
			if diff := cmp.Diff(want, got, diffOpts...); diff != "" {
				t.Errorf("read back connection (-want +got):\n%s", diff)
			}
		}
	})
}

func testReplaceSSOConnection(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		check(t, "PutSSOConnection", tx.PutSSOConnection(newSSOConnection(f.Enterprise.ID)))
	})
	c := newSSOConnection(f.Enterprise.ID)
	c.IdPEntityID, c.MetadataURL, c.MetadataFetchedAt = "https://other.example", "", time.Time{}
	c.Attributes, c.SignRequests, c.CreatedAt, c.UpdatedAt = gatehouse.DefaultAttributes, false, now.Add(time.Hour), now.Add(time.Hour)
	MustTx(t, s, func(tx store.Tx) { check(t, "PutSSOConnection", tx.PutSSOConnection(c)) })
	if !c.CreatedAt.Equal(now) {
		t.Errorf("PutSSOConnection set CreatedAt to %v; want the first one, %v", c.CreatedAt, now)
	}
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.SSOConnection(f.Enterprise.ID)
		check(t, "SSOConnection", err)
		if diff := cmp.Diff(c, got, diffOpts...); diff != "" {
			t.Errorf("after a second PutSSOConnection (-want +got):\n%s", diff)
		}
	})
}

func testListSSOConnections(t *testing.T, s store.Store) {
	var want []int64
	MustTx(t, s, func(tx store.Tx) {
		for i, fetched := range []time.Time{now, {}, now.Add(-time.Hour), now.Add(time.Hour)} {
			c := newSSOConnection(MustEnterprise(t, tx, "e"+string(rune('a'+i))).ID)
			c.MetadataFetchedAt = fetched
			if i == 3 {
				c.MetadataURL = ""
			}
			check(t, "PutSSOConnection", tx.PutSSOConnection(c))
			want = append(want, c.EnterpriseID)
		}
	})
	want = []int64{want[1], want[2], want[0]}
	MustView(t, s, func(tx store.Tx) {
		cs, err := tx.ListSSOConnectionsWithMetadataURL()
		check(t, "ListSSOConnectionsWithMetadataURL", err)
		if diff := cmp.Diff(want, pluck(cs, connectionEnterprise), diffOpts...); diff != "" {
			t.Errorf("ListSSOConnectionsWithMetadataURL() enterprises (-want +got):\n%s", diff)
		}
	})
}

// createEnterprise creates an enterprise with key in a transaction of its
// own and returns its ID.
func createEnterprise(tb testing.TB, s store.Store, key string) int64 {
	tb.Helper()
	var id int64
	MustTx(tb, s, func(tx store.Tx) { id = MustEnterprise(tb, tx, key).ID })
	return id
}

func connectionEnterprise(c *gatehouse.SSOConnection) int64 { return c.EnterpriseID }
