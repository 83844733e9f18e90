package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// BenchmarkTokenCheck runs the store's side of an access check with a
// personal token on SQLite: TokenCheck answered from its cache (nothing
// committed since the same question), TokenCheck running its one
// statement (the token, its user, the allow list, the organization, the
// project and the permission) for a question never asked, and the
// recording of the token's use (a Tx), which the service does at most
// once a minute per token.
func BenchmarkTokenCheck(b *testing.B) {
	s, err := sqlstore.Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var orgID int64
	var k *gatehouse.Token
	storetest.MustTx(b, s, func(tx store.Tx) {
		e := storetest.MustEnterprise(b, tx, "acme")
		u := storetest.MustSSOUser(b, tx, e.ID, "carol@acme.example")
		for _, key := range []string{"acme-a", "acme-b", "acme-c"} {
			o := storetest.MustOrganization(b, tx, key, e.ID)
			storetest.MustBuiltinGroup(b, tx, o.ID, gatehouse.BuiltinMembers)
			storetest.MustMembership(b, tx, u.ID, storetest.MustGroup(b, tx, o.ID, "Devs", gatehouse.PermissionScan).ID, gatehouse.SourceSync)
			storetest.MustMembership(b, tx, u.ID, storetest.MustGroup(b, tx, o.ID, "Gates", gatehouse.PermissionGateAdmin).ID, gatehouse.SourceSync)
			orgID = o.ID
		}
		k = storetest.MustPersonalToken(b, tx, u.ID, "gat_secret", time.Now())
	})
	hash := storetest.Hash("gat_secret")
	b.Run("check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, err := s.TokenCheck(b.Context(), hash, "acme-c", gatehouse.PermissionGateAdmin, "")
			if err != nil || !c.Holds || c.OrganizationID != orgID {
				b.Fatalf("TokenCheck = %+v, %v; want the permission held in acme-c", c, err)
			}
		}
	})
	b.Run("query", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			c, err := s.TokenCheck(b.Context(), hash, "acme-c", gatehouse.PermissionGateAdmin, fmt.Sprint("p", i))
			if err != nil || !c.Holds || c.ProjectID != 0 {
				b.Fatalf("TokenCheck = %+v, %v; want the permission held and no such project", c, err)
			}
		}
	})
	b.Run("touch", func(b *testing.B) {
		b.ReportAllocs()
		at := time.Now()
		for b.Loop() {
			at = at.Add(time.Millisecond)
			err := s.Tx(b.Context(), func(tx store.Tx) error { return tx.TouchToken(k.ID, at) })
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
