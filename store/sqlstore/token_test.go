package sqlstore

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// TestTokenCheckCacheSeesEveryCommit asks one question between commits
// made through the same store and through a second one on the same file,
// as the CLI or a second server would: every answer is the database's
// as it is.
func TestTokenCheckCacheSeesEveryCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gatehouse.db")
	db, other := mustOpenSQLite(t, path), mustOpenSQLite(t, path)
	f := storetest.MustFixture(t, db)
	var k *gatehouse.Token
	storetest.MustTx(t, db, func(tx store.Tx) {
		storetest.MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceManual)
		k = storetest.MustPersonalToken(t, tx, f.SSO.ID, "gat_bob", f.SSO.CreatedAt)
	})
	ask := func() *store.TokenCheck {
		t.Helper()
		c, err := db.TokenCheck(ctx, k.Hash, f.Org.Key, gatehouse.PermissionScan, "")
		if err != nil {
			t.Fatalf("TokenCheck: %v", err)
		}
		return c
	}
	steps := []struct {
		name   string
		change func()
		want   func(c *store.TokenCheck) bool
	}{
		{"at first the user holds scan", func() {}, func(c *store.TokenCheck) bool { return c.Holds && c.UserActive }},
		{"asked again, the same", func() {}, func(c *store.TokenCheck) bool { return c.Holds }},
		{"a membership removed through the same store", func() {
			storetest.MustTx(t, db, func(tx store.Tx) {
				if err := tx.RemoveMembership(f.SSO.ID, f.Devs.ID); err != nil {
					t.Fatal(err)
				}
			})
		}, func(c *store.TokenCheck) bool { return !c.Holds }},
		{"a membership added through another store on the file", func() {
			storetest.MustTx(t, other, func(tx store.Tx) { storetest.MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceManual) })
		}, func(c *store.TokenCheck) bool { return c.Holds }},
		{"the user deactivated through the other store", func() {
			storetest.MustTx(t, other, func(tx store.Tx) {
				f.SSO.Active = false
				if err := tx.UpdateUser(f.SSO); err != nil {
					t.Fatal(err)
				}
			})
		}, func(c *store.TokenCheck) bool { return !c.UserActive }},
		{"an allow list set through the other store", func() {
			storetest.MustTx(t, other, func(tx store.Tx) {
				f.Enterprise.IPAllowList = []string{"203.0.113.0/24"}
				if err := tx.UpdateEnterprise(f.Enterprise); err != nil {
					t.Fatal(err)
				}
			})
		}, func(c *store.TokenCheck) bool { return c.EnterpriseKey == f.Enterprise.Key && len(c.IPAllowList) == 1 }},
	}
	for _, st := range steps {
		st.change()
		if c := ask(); !st.want(c) {
			t.Errorf("%s: TokenCheck = %+v", st.name, c)
		}
	}
	storetest.MustTx(t, other, func(tx store.Tx) {
		if err := tx.DeleteToken(k.ID); err != nil {
			t.Fatal(err)
		}
	})
	if _, err := db.TokenCheck(ctx, k.Hash, f.Org.Key, gatehouse.PermissionScan, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TokenCheck of a token revoked through the other store = %v; want ErrNotFound", err)
	}
}

// TestTokenCheckCacheAnswersWhileNothingIsCommitted proves that answers
// come from the cache: an entry doctored in place is what the next check
// returns, until a commit anywhere makes it miss.
func TestTokenCheckCacheAnswersWhileNothingIsCommitted(t *testing.T) {
	ctx := context.Background()
	db := mustOpenSQLite(t, filepath.Join(t.TempDir(), "gatehouse.db"))
	f := storetest.MustFixture(t, db)
	var k *gatehouse.Token
	storetest.MustTx(t, db, func(tx store.Tx) { k = storetest.MustPersonalToken(t, tx, f.Local.ID, "gat_root", f.Local.CreatedAt) })
	check := func() bool {
		t.Helper()
		c, err := db.TokenCheck(ctx, k.Hash, f.Org.Key, gatehouse.PermissionAdmin, "")
		if err != nil {
			t.Fatalf("TokenCheck: %v", err)
		}
		return c.Holds
	}
	if check() {
		t.Fatalf("root holds admin before any membership")
	}
	key := checkKey{string(k.Hash), f.Org.Key, gatehouse.PermissionAdmin, ""}
	db.checks.mu.Lock()
	e := db.checks.entries[key]
	e.check.Holds = true
	db.checks.entries[key] = e
	db.checks.mu.Unlock()
	if !check() {
		t.Errorf("the doctored entry was not used: the check did not come from the cache")
	}
	storetest.MustTx(t, db, func(tx store.Tx) { storetest.MustLocalUser(t, tx, "someone") })
	if check() {
		t.Errorf("after an unrelated commit the doctored entry was still used")
	}
}

// TestTokenCheckCacheOutlivesACanceledRequest asks with a request whose
// client has gone: it fails, and the cache keeps its entries for the next.
func TestTokenCheckCacheOutlivesACanceledRequest(t *testing.T) {
	db := mustOpenSQLite(t, filepath.Join(t.TempDir(), "gatehouse.db"))
	f := storetest.MustFixture(t, db)
	var k *gatehouse.Token
	storetest.MustTx(t, db, func(tx store.Tx) { k = storetest.MustPersonalToken(t, tx, f.Local.ID, "gat_root", f.Local.CreatedAt) })
	if _, err := db.TokenCheck(t.Context(), k.Hash, f.Org.Key, gatehouse.PermissionAdmin, ""); err != nil {
		t.Fatalf("TokenCheck: %v", err)
	}
	key := checkKey{string(k.Hash), f.Org.Key, gatehouse.PermissionAdmin, ""}
	db.checks.mu.Lock()
	e := db.checks.entries[key]
	e.check.Holds = true
	db.checks.entries[key] = e
	db.checks.mu.Unlock()
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := db.TokenCheck(canceled, k.Hash, f.Org.Key, gatehouse.PermissionAdmin, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("TokenCheck(canceled) = %v; want context.Canceled", err)
	}
	c, err := db.TokenCheck(t.Context(), k.Hash, f.Org.Key, gatehouse.PermissionAdmin, "")
	if err != nil {
		t.Fatalf("TokenCheck: %v", err)
	}
	if !c.Holds {
		t.Errorf("after a canceled request the doctored entry was gone: the cache was emptied")
	}
}

// TestTokenCheckCacheKeepsQuestionsApart asks two questions whose parts,
// run together, read the same: the second must not get the first's answer.
// The organization and project come from the request, so they may hold any
// byte a separator could be made of.
func TestTokenCheckCacheKeepsQuestionsApart(t *testing.T) {
	ctx := context.Background()
	db := mustOpenSQLite(t, filepath.Join(t.TempDir(), "gatehouse.db"))
	f := storetest.MustFixture(t, db)
	var k *gatehouse.Token
	storetest.MustTx(t, db, func(tx store.Tx) {
		storetest.MustMembership(t, tx, f.SSO.ID, f.Devs.ID, gatehouse.SourceManual)
		k = storetest.MustPersonalToken(t, tx, f.SSO.ID, "gat_bob", f.SSO.CreatedAt)
	})
	for _, sep := range []string{"\x00", `\x00`} {
		first, err := db.TokenCheck(ctx, k.Hash, f.Org.Key, gatehouse.PermissionScan, "p"+sep+"admin"+sep)
		if err != nil {
			t.Fatalf("TokenCheck: %v", err)
		}
		if first.OrganizationID != f.Org.ID || !first.Holds {
			t.Fatalf("TokenCheck(%q, scan) = %+v; want the organization, scan held", f.Org.Key, first)
		}
		org := f.Org.Key + sep + "scan" + sep + "p"
		second, err := db.TokenCheck(ctx, k.Hash, org, gatehouse.PermissionAdmin, "")
		if err != nil {
			t.Fatalf("TokenCheck: %v", err)
		}
		if second.OrganizationID != 0 || second.Holds {
			t.Errorf("TokenCheck(%q, admin) = organization %d, holds %v; want no organization, not held", org, second.OrganizationID, second.Holds)
		}
	}
}

// mustOpenSQLite opens the SQLite store at path until the test ends.
func mustOpenSQLite(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
