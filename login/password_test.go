package login_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
)

const newPassword = "a brand new passphrase"

func TestChangePasswordRefusals(t *testing.T) {
	e := MustEnv(t)
	root := e.MustLocalUser(t)
	sso := e.MustLogin(t, alice).User
	tests := []struct {
		name              string
		user              *gatehouse.User
		current, next     string
		wantCode, wantFld string
	}{
		{"refuses a wrong current password", root, "wrong password", newPassword, gatehouse.EINVALID, "current_password"},
		{"refuses a short new password", root, rootPassword, "short", gatehouse.EINVALID, "new_password"},
		{"refuses an SSO user, who has no password", sso, rootPassword, newPassword, gatehouse.ECONFLICT, ""},
	}
	before := e.MustDump(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Login.ChangePassword(context.Background(), tt.user, tt.current, tt.next)
			var ge *gatehouse.Error
			if !errors.As(err, &ge) || ge.Code != tt.wantCode || ge.Field != tt.wantFld {
				t.Errorf("ChangePassword(%s) = %v; want code %q field %q", tt.name, err, tt.wantCode, tt.wantFld)
			}
		})
	}
	if diff := cmp.Diff(before, e.MustDump(t)); diff != "" {
		t.Errorf("refused password changes wrote (-before +after):\n%s", diff)
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	root := e.MustLocalUser(t)
	other, err := e.Login.LocalLogin(ctx, "root", rootPassword, "", testClient)
	if err != nil {
		t.Fatal(err)
	}
	after := e.lastEventID(t)

	res, err := e.Login.ChangePassword(ctx, root, rootPassword, newPassword)
	if err != nil {
		t.Fatalf("ChangePassword = %v", err)
	}
	if _, _, err := e.Login.Session(ctx, other.SessionSecret); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
		t.Errorf("the other session after the change = %v; want it ended", err)
	}
	if _, u, err := e.Login.Session(ctx, res.SessionSecret); err != nil || u.ID != root.ID {
		t.Errorf("the new session = %v, %v; want root's", u, err)
	}
	if _, err := e.Login.LocalLogin(ctx, "root", rootPassword, "", testClient); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
		t.Errorf("LocalLogin with the old password = %v; want it refused", err)
	}
	if _, err := e.Login.LocalLogin(ctx, "root", newPassword, "", testClient); err != nil {
		t.Errorf("LocalLogin with the new password = %v", err)
	}
	got, raw := e.events(t, after, gatehouse.AuditUserUpdate)
	if want := []event{{Type: gatehouse.AuditUserUpdate, Actor: "user:root", Target: "user:root"}}; !cmp.Equal(got, want) || raw[0].Details["password"] != "changed" {
		t.Errorf("audit events = %+v %v; want %+v with the password changed", got, raw, want)
	}
}
