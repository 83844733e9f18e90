package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

func testUsers(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips local and SSO users", testUserRoundTrip},
		{"SSO identity keys are exact and per enterprise", testSSOIdentity},
		{"lists by login, filtered", testListUsers},
		{"updates name, email, password hash and active, not login", testUpdateUser},
		{"deletes with memberships, admin roles, personal tokens and sessions", testDeleteUser},
		{"keeps the organization tokens a deleted user created", testDeleteUserKeepsOrganizationTokens},
	})
	runErrCases(t, newStore, usersErrors)
}

// usersErrors are the writes and reads of Users that must fail.
var usersErrors = []errCase{
	{"a taken login is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		u := *f.Local
		return tx.CreateUser(&u)
	}, store.ErrConflict},
	{"a second SSO user with the same identity is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		u := *f.SSO
		u.Login = "bob-x1y2"
		return tx.CreateUser(&u)
	}, store.ErrConflict},
	{"an SSO user of an unknown enterprise is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		u := *f.SSO
		u.Login, u.EnterpriseID = "bob-x1y2", f.Enterprise.ID+100
		return tx.CreateUser(&u)
	}, store.ErrConflict},
	{"an unknown ID is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.User(f.SSO.ID + 100)
		return err
	}, store.ErrNotFound},
	{"an unknown login is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.UserByLogin("nope")
		return err
	}, store.ErrNotFound},
	{"an unknown identity is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.SSOUser(f.Enterprise.ID, "nope")
		return err
	}, store.ErrNotFound},
	{"locking an unknown user is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.LockUser(f.SSO.ID + 100)
	}, store.ErrNotFound},
	{"updating an unknown user is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		u := *f.Local
		u.ID += 100
		return tx.UpdateUser(&u)
	}, store.ErrNotFound},
	{"a last login of an unknown user is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.SetLastLogin(f.SSO.ID+100, now)
	}, store.ErrNotFound},
	{"deleting an unknown user is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.DeleteUser(f.SSO.ID + 100)
	}, store.ErrNotFound},
}

func testUserRoundTrip(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	seen := &gatehouse.User{Login: "carol", Name: "Carol", Kind: gatehouse.UserLocal, PasswordHash: "h",
		CreatedAt: now, LastLoginAt: now.Add(time.Hour)}
	MustTx(t, s, func(tx store.Tx) { check(t, "CreateUser", tx.CreateUser(seen)) })
	MustView(t, s, func(tx store.Tx) {
		for _, want := range []*gatehouse.User{f.Local, f.SSO, seen} {
			byID, err := tx.User(want.ID)
			check(t, "User", err)
			byLogin, err := tx.UserByLogin(want.Login)
			check(t, "UserByLogin", err)
			for _, got := range []*gatehouse.User{byID, byLogin} {
				if diff := cmp.Diff(want, got, diffOpts...); diff != "" {
					t.Errorf("read back user (-want +got):\n%s", diff)
				}
			}
		}
		got, err := tx.SSOUser(f.Enterprise.ID, f.SSO.ExternalID)
		check(t, "SSOUser", err)
		if got.ID != f.SSO.ID {
			t.Errorf("SSOUser() = user %d; want %d", got.ID, f.SSO.ID)
		}
	})
}

func testSSOIdentity(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var upper, elsewhere *gatehouse.User
	var other *gatehouse.Enterprise
	MustTx(t, s, func(tx store.Tx) {
		upper = MustSSOUser(t, tx, f.Enterprise.ID, "BOB@acme.example")
		other = MustEnterprise(t, tx, "other")
		elsewhere = MustSSOUser(t, tx, other.ID, f.SSO.ExternalID)
	})
	tests := []struct {
		enterpriseID int64
		externalID   string
		want         *gatehouse.User
	}{
		{f.Enterprise.ID, f.SSO.ExternalID, f.SSO},
		{f.Enterprise.ID, "BOB@acme.example", upper},
		{other.ID, f.SSO.ExternalID, elsewhere},
	}
	MustView(t, s, func(tx store.Tx) {
		for _, tt := range tests {
			got, err := tx.SSOUser(tt.enterpriseID, tt.externalID)
			check(t, "SSOUser", err)
			if got.ID != tt.want.ID {
				t.Errorf("SSOUser(%d, %q) = user %d; want %d", tt.enterpriseID, tt.externalID, got.ID, tt.want.ID)
			}
		}
		_, err := tx.SSOUser(f.Enterprise.ID, "Bob@acme.example")
		wantErr(t, "SSOUser(other case)", err, store.ErrNotFound)
	})
}

func testListUsers(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var zed *gatehouse.User
	MustTx(t, s, func(tx store.Tx) {
		u := MustLocalUser(t, tx, "alice")
		u.Email = "Alice.Smith@Example.COM"
		check(t, "UpdateUser", tx.UpdateUser(u))
		zed = MustSSOUser(t, tx, MustEnterprise(t, tx, "other").ID, "zed@other.example")
	})
	tests := []struct {
		filter store.UserFilter
		want   []string
	}{
		{store.UserFilter{}, []string{"alice", f.SSO.Login, "root", zed.Login}},
		{store.UserFilter{EnterpriseID: f.Enterprise.ID}, []string{f.SSO.Login}},
		{store.UserFilter{Kind: gatehouse.UserLocal}, []string{"alice", "root"}},
		{store.UserFilter{Email: "alice.smith@example.com"}, []string{"alice"}},
		{store.UserFilter{Email: "ROOT@example.com", Kind: gatehouse.UserLocal}, []string{"root"}},
		{store.UserFilter{Email: "nobody@example.com"}, nil},
	}
	MustView(t, s, func(tx store.Tx) {
		for _, tt := range tests {
			us, err := tx.ListUsers(tt.filter)
			check(t, "ListUsers", err)
			if diff := cmp.Diff(tt.want, pluck(us, userLogin), diffOpts...); diff != "" {
				t.Errorf("ListUsers(%+v) logins (-want +got):\n%s", tt.filter, diff)
			}
		}
	})
}

func testUpdateUser(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	u := *f.Local
	u.Login, u.Name, u.Email, u.PasswordHash, u.Active = "other", "Renamed", "new@example.com", "new-hash", false
	MustTx(t, s, func(tx store.Tx) {
		check(t, "UpdateUser", tx.UpdateUser(&u))
		check(t, "SetLastLogin", tx.SetLastLogin(u.ID, now.Add(time.Minute)))
		check(t, "LockUser", tx.LockUser(u.ID))
	})
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.User(u.ID)
		check(t, "User", err)
		want := u
		want.Login, want.LastLoginAt = f.Local.Login, now.Add(time.Minute)
		if diff := cmp.Diff(&want, got, diffOpts...); diff != "" {
			t.Errorf("after UpdateUser and SetLastLogin (-want +got):\n%s", diff)
		}
	})
}

func testDeleteUserKeepsOrganizationTokens(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var k *gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		k = MustOrganizationToken(t, tx, f.Local.ID, f.Org.ID, "ci-token")
		check(t, "DeleteUser", tx.DeleteUser(f.Local.ID))
	})
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.Token(k.ID)
		check(t, "Token", err)
		if got.UserID != 0 || got.OrganizationID != f.Org.ID {
			t.Errorf("organization token after its creator's deletion: user %d, organization %d; want 0, %d", got.UserID, got.OrganizationID, f.Org.ID)
		}
		a, err := tx.TokenAuth(Hash("ci-token"))
		check(t, "TokenAuth", err)
		if a.User != nil || a.Organization == nil || a.Organization.ID != f.Org.ID {
			t.Errorf("TokenAuth = user %v, organization %v; want no user and the organization", a.User, a.Organization)
		}
	})
	c, err := s.TokenCheck(context.Background(), Hash("ci-token"), f.Org.Key, gatehouse.PermissionScan, "")
	check(t, "TokenCheck", err)
	if c.Token.ID != k.ID || c.OrganizationID != f.Org.ID || c.UserActive {
		t.Errorf("TokenCheck = %+v; want the token, its organization, no active user", c)
	}
}

func testDeleteUser(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var k *gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		MustMembership(t, tx, f.Local.ID, f.Owners.ID, gatehouse.SourceManual)
		check(t, "AddEnterpriseAdmin", tx.AddEnterpriseAdmin(f.Enterprise.ID, f.Local.ID))
		k = MustPersonalToken(t, tx, f.Local.ID, "secret", now)
		check(t, "CreateSession", tx.CreateSession(newSession(f.Local.ID, "cookie")))
		check(t, "DeleteUser", tx.DeleteUser(f.Local.ID))
	})
	MustView(t, s, func(tx store.Tx) {
		_, err := tx.User(f.Local.ID)
		wantErr(t, "User", err, store.ErrNotFound)
		ms, err := tx.ListMemberships(store.MembershipFilter{GroupID: f.Owners.ID})
		check(t, "ListMemberships", err)
		admins, err := tx.EnterpriseAdmins(f.Enterprise.ID)
		check(t, "EnterpriseAdmins", err)
		if len(ms) != 0 || len(admins) != 0 {
			t.Errorf("after DeleteUser: %d memberships, %d admins; want none", len(ms), len(admins))
		}
		_, err = tx.Token(k.ID)
		wantErr(t, "Token", err, store.ErrNotFound)
		_, err = tx.Session(Hash("cookie"))
		wantErr(t, "Session", err, store.ErrNotFound)
	})
}
