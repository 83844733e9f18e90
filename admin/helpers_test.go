package admin_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
)

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// MustService returns an admin service over a fresh SQLite store.
func MustService(tb testing.TB) (*admin.Service, store.Store) {
	tb.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(tb.TempDir(), "gatehouse.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	s := admin.NewService(st, &url.URL{Scheme: "http", Host: "gatehouse.test"})
	s.Now = func() time.Time { return testNow }
	return s, st
}

// MustEnterprise creates an enterprise as the operator.
func MustEnterprise(tb testing.TB, s *admin.Service, key string) *gatehouse.Enterprise {
	tb.Helper()
	e := &gatehouse.Enterprise{Key: key, Name: "Enterprise " + key}
	if err := s.CreateEnterprise(context.Background(), gatehouse.Operator, e); err != nil {
		tb.Fatal(err)
	}
	return e
}

// MustOrganization creates an organization as the operator.
func MustOrganization(tb testing.TB, s *admin.Service, key, enterprise string) *gatehouse.Organization {
	tb.Helper()
	o := &gatehouse.Organization{Key: key, Name: "Org " + key}
	if err := s.CreateOrganization(context.Background(), gatehouse.Operator, o, enterprise); err != nil {
		tb.Fatal(err)
	}
	return o
}

// MustGroup creates a group as the operator.
func MustGroup(tb testing.TB, s *admin.Service, org, name string, perms ...gatehouse.Permission) *gatehouse.Group {
	tb.Helper()
	g := &gatehouse.Group{Name: name, Permissions: perms}
	if err := s.CreateGroup(context.Background(), gatehouse.Operator, org, g); err != nil {
		tb.Fatal(err)
	}
	return g
}

// MustLocalUser creates a local user as the operator.
func MustLocalUser(tb testing.TB, s *admin.Service, login string) *gatehouse.User {
	tb.Helper()
	u := &gatehouse.User{Login: login, Name: "User " + login, Email: login + "@example.com"}
	if err := s.CreateLocalUser(context.Background(), gatehouse.Operator, u, "a long enough password"); err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustSSOUser inserts an SSO user of the enterprise directly, as JIT
// provisioning would.
func MustSSOUser(tb testing.TB, st store.Store, enterpriseID int64, login string) *gatehouse.User {
	tb.Helper()
	u := &gatehouse.User{Login: login, Name: login, Kind: gatehouse.UserSSO, EnterpriseID: enterpriseID, ExternalID: login, Active: true, CreatedAt: testNow}
	if err := st.Tx(context.Background(), func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
		tb.Fatal(err)
	}
	return u
}

// MustGroupNamed returns the organization's group with name.
func MustGroupNamed(tb testing.TB, s *admin.Service, org, name string) *gatehouse.Group {
	tb.Helper()
	gs, err := s.ListGroups(context.Background(), gatehouse.Operator, org)
	if err != nil {
		tb.Fatal(err)
	}
	for _, g := range gs {
		if g.Name == name {
			return g
		}
	}
	tb.Fatalf("organization %q has no group %q", org, name)
	return nil
}

// auditCount returns how many audit events the store holds.
func auditCount(tb testing.TB, st store.Store) int {
	tb.Helper()
	var n int
	err := st.View(context.Background(), func(tx store.Tx) error {
		evs, err := tx.ListAuditEvents(store.AuditFilter{Limit: 10000})
		n = len(evs)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// wantCode fails unless err carries the error code want ("" for nil).
func wantCode(tb testing.TB, err error, want string) {
	tb.Helper()
	if got := gatehouse.ErrorCode(err); got != want {
		tb.Errorf("error code = %q (%v); want %q", got, err, want)
	}
}

// wantField fails unless err is an *Error naming field.
func wantField(tb testing.TB, err error, field string) {
	tb.Helper()
	var ge *gatehouse.Error
	if !errors.As(err, &ge) || ge.Field != field {
		tb.Errorf("error %v does not name field %q", err, field)
	}
}
