package admin_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/store"
)

func TestCreateLocalUser(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustLocalUser(t, s, "lena")
	tests := []struct {
		name      string
		actor     gatehouse.Actor
		u         gatehouse.User
		pw        string
		wantCode  string
		wantField string
	}{
		{"creates a user", gatehouse.Operator, gatehouse.User{Login: "otto", Name: "Otto"}, "long enough password", "", ""},
		{"refuses a short password", gatehouse.Operator, gatehouse.User{Login: "pia", Name: "Pia"}, "short", gatehouse.EINVALID, "password"},
		{"refuses a bad email", gatehouse.Operator, gatehouse.User{Login: "pia", Name: "Pia", Email: "not an email"}, "long enough password", gatehouse.EINVALID, "email"},
		{"refuses a taken login", gatehouse.Operator, gatehouse.User{Login: "lena", Name: "Lena"}, "long enough password", gatehouse.ECONFLICT, ""},
		{"refuses a user actor", gatehouse.UserActor(&gatehouse.User{ID: 1, Kind: gatehouse.UserLocal, Active: true}), gatehouse.User{Login: "pia", Name: "Pia"}, "long enough password", gatehouse.EFORBIDDEN, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.u
			err := s.CreateLocalUser(ctx, tt.actor, &u, tt.pw)
			wantCode(t, err, tt.wantCode)
			if tt.wantField != "" {
				wantField(t, err, tt.wantField)
			}
		})
	}
}

func TestSSOUserProfileComesFromIdP(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	acme := MustEnterprise(t, s, "acme")
	sam := MustSSOUser(t, st, acme.ID, "sam")
	name := "Other"
	_, err := s.UpdateUser(ctx, gatehouse.Operator, sam.Login, admin.UserUpdate{Name: &name})
	wantCode(t, err, gatehouse.ECONFLICT)
}

func TestDeactivateEndsSessionsAndTokens(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	acme := MustEnterprise(t, s, "acme")
	boss := MustLocalUser(t, s, "boss")
	if err := s.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", boss.Login); err != nil {
		t.Fatal(err)
	}
	sam := MustSSOUser(t, st, acme.ID, "sam")
	err := st.Tx(ctx, func(tx store.Tx) error {
		if err := tx.CreateSession(&gatehouse.Session{ID: []byte("0123456789abcdef0123456789abcdef"), UserID: sam.ID, CSRF: "c", CreatedAt: testNow, LastSeenAt: testNow}); err != nil {
			return err
		}
		return tx.CreateToken(&gatehouse.Token{Kind: gatehouse.TokenPersonal, Name: "ci", Hash: []byte("hash-of-a-token-0123456789abcdef"), UserID: sam.ID, CreatedAt: testNow})
	})
	if err != nil {
		t.Fatal(err)
	}
	off := false
	u, err := s.UpdateUser(ctx, gatehouse.UserActor(boss), sam.Login, admin.UserUpdate{Active: &off})
	if err != nil {
		t.Fatal(err)
	}
	if u.Active {
		t.Errorf("user still active")
	}
	err = st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.Session([]byte("0123456789abcdef0123456789abcdef")); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after deactivation: %v; want not found", err)
		}
		ts, err := tx.ListTokens(store.TokenFilter{UserID: sam.ID})
		if len(ts) != 0 {
			t.Errorf("tokens after deactivation = %d; want 0", len(ts))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("another enterprise's admin may not", func(t *testing.T) {
		MustEnterprise(t, s, "other")
		stranger := MustLocalUser(t, s, "stranger")
		if err := s.AddEnterpriseAdmin(ctx, gatehouse.Operator, "other", stranger.Login); err != nil {
			t.Fatal(err)
		}
		on := true
		_, err := s.UpdateUser(ctx, gatehouse.UserActor(stranger), sam.Login, admin.UserUpdate{Active: &on})
		wantCode(t, err, gatehouse.EFORBIDDEN)
	})
}

func TestDeleteOwnAccount(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	lena := MustLocalUser(t, s, "lena")
	otto := MustLocalUser(t, s, "otto")
	err := st.Tx(ctx, func(tx store.Tx) error {
		return tx.CreateToken(&gatehouse.Token{Kind: gatehouse.TokenPersonal, Name: "ci", Hash: []byte("hash-of-lenas-token-0123456789ab"), UserID: lena.ID, CreatedAt: testNow})
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteUser(ctx, gatehouse.UserActor(otto), lena.Login), gatehouse.EFORBIDDEN)
	if err := s.DeleteUser(ctx, gatehouse.UserActor(lena), lena.Login); err != nil {
		t.Fatal(err)
	}
	_, err = s.User(ctx, gatehouse.Operator, lena.Login)
	wantCode(t, err, gatehouse.ENOTFOUND)
	evs, err := s.AuditEvents(ctx, gatehouse.Operator, admin.AuditQuery{Types: []string{gatehouse.AuditTokenRevoke, gatehouse.AuditUserRemove}})
	if err != nil || len(evs) != 2 {
		t.Errorf("audit after deleting an account with a token = %v, %v; want token.revoke and user.remove", evs, err)
	}
}
