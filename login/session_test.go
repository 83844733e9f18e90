package login_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/store"
)

func TestSessionLifetime(t *testing.T) {
	tests := []struct {
		name string
		// requests are the times after login of the requests before the
		// checked one, at the time after login at.
		requests []time.Duration
		at       time.Duration
		wantOK   bool
	}{
		{name: "accepts a request right after login", at: 0, wantOK: true},
		{name: "accepts a request 8 hours idle but a minute", at: 8*time.Hour - time.Minute, wantOK: true},
		{name: "ends after 8 hours without a request", at: 8 * time.Hour, wantOK: false},
		{name: "counts the idle time from the last request", requests: []time.Duration{7 * time.Hour}, at: 15*time.Hour - time.Minute, wantOK: true},
		{name: "ends 8 hours after the last request", requests: []time.Duration{7 * time.Hour}, at: 15 * time.Hour, wantOK: false},
		{name: "accepts a busy session until 24 hours after login", requests: []time.Duration{7 * time.Hour, 14 * time.Hour, 21 * time.Hour},
			at: 24*time.Hour - time.Minute, wantOK: true},
		{name: "ends a busy session 24 hours after login", requests: []time.Duration{7 * time.Hour, 14 * time.Hour, 21 * time.Hour},
			at: 24 * time.Hour, wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := MustEnv(t)
			res := e.MustLogin(t, alice)
			for _, d := range tt.requests {
				e.Now = testNow.Add(d)
				if _, _, err := e.Login.Session(ctx, res.SessionSecret); err != nil {
					t.Fatalf("Session() %v after login = %v", d, err)
				}
			}
			e.Now = testNow.Add(tt.at)
			sess, u, err := e.Login.Session(ctx, res.SessionSecret)
			if tt.wantOK && (err != nil || u.ID != res.User.ID || !sess.LastSeenAt.Equal(e.Now)) {
				t.Errorf("Session() %v after login = %v, %v, %v; want the user's session, seen now", tt.at, sess, u, err)
			}
			if !tt.wantOK {
				wantEnded(t, err)
				// An ended session is gone: a later request is refused too.
				e.Now = testNow.Add(time.Minute)
				_, _, err = e.Login.Session(ctx, res.SessionSecret)
				wantEnded(t, err)
			}
		})
	}
}

// wantEnded fails unless err refuses an ended session.
func wantEnded(tb testing.TB, err error) {
	tb.Helper()
	if gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
		tb.Errorf("Session() = %v; want EUNAUTHORIZED", err)
	}
}

func TestSessionRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// end ends the session of the login res, or returns another secret.
		end func(t *testing.T, e *env, res *login.Result) string
	}{
		{"no cookie", func(*testing.T, *env, *login.Result) string { return "" }},
		{"an unknown secret", func(*testing.T, *env, *login.Result) string { return "no-such-session" }},
		{"a session after logout", func(t *testing.T, e *env, res *login.Result) string {
			if err := e.Login.Logout(ctx, res.SessionSecret); err != nil {
				t.Fatal(err)
			}
			return res.SessionSecret
		}},
		{"a session of a user an admin deactivated", func(t *testing.T, e *env, res *login.Result) string {
			inactive := false
			if _, err := e.Admin.UpdateUser(ctx, gatehouse.Operator, res.User.Login, admin.UserUpdate{Active: &inactive}); err != nil {
				t.Fatal(err)
			}
			return res.SessionSecret
		}},
		{"a session of a deactivated user that outlived its deactivation", func(t *testing.T, e *env, res *login.Result) string {
			u := *res.User
			u.Active = false
			if err := e.Store.Tx(ctx, func(tx store.Tx) error { return tx.UpdateUser(&u) }); err != nil {
				t.Fatal(err)
			}
			return res.SessionSecret
		}},
	}
	for _, tt := range tests {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			e := MustEnv(t)
			res := e.MustLogin(t, alice)
			_, _, err := e.Login.Session(ctx, tt.end(t, e, res))
			wantEnded(t, err)
		})
	}
}

func TestLogoutOfNoSessionSucceeds(t *testing.T) {
	e := MustEnv(t)
	if err := e.Login.Logout(context.Background(), "no-such-session"); err != nil {
		t.Errorf("Logout(unknown) = %v; want nil", err)
	}
}

func TestPurge(t *testing.T) {
	ctx := context.Background()
	e := MustEnv(t)
	abandoned := e.MustStart(t, "acme", "")
	busy := e.MustLogin(t, alice)
	for _, h := range []time.Duration{7, 14, 21} {
		e.Now = testNow.Add(h * time.Hour)
		if _, _, err := e.Login.Session(ctx, busy.SessionSecret); err != nil {
			t.Fatal(err)
		}
	}
	e.Now = testNow.Add(10 * time.Hour)
	e.MustLogin(t, alice) // idle from then on
	e.Now = testNow.Add(24*time.Hour + time.Minute)
	fresh := e.MustLogin(t, alice)
	pending := e.MustStart(t, "acme", "")

	got, err := e.Login.Purge(ctx)
	want := login.Purged{Sessions: 2, AuthnRequests: 1, Assertions: 2}
	if err != nil || got != want {
		t.Fatalf("Purge() = %+v, %v; want %+v", got, err, want)
	}
	if n := len(e.MustDump(t)["sessions"]); n != 1 {
		t.Errorf("%d sessions after Purge; want 1, the fresh one", n)
	}
	if _, _, err := e.Login.Session(ctx, fresh.SessionSecret); err != nil {
		t.Errorf("Session(fresh) after Purge = %v", err)
	}
	if _, err := e.Login.FinishSSO(ctx, pending.acs(e.MustResponse(t, pending, alice))); err != nil {
		t.Errorf("FinishSSO(a pending login) after Purge = %v", err)
	}
	e.Now = testNow.Add(time.Minute)
	if _, err := e.Login.FinishSSO(ctx, abandoned.acs(e.MustResponse(t, abandoned, alice))); refusal(err) == nil {
		t.Errorf("FinishSSO(a purged login) = %v; want a refusal", err)
	}
}

func TestLocalPath(t *testing.T) {
	tests := []struct {
		name, path, want string
	}{
		{"keeps the root", "/", "/"},
		{"keeps a path with query and fragment", "/organizations/acme-web?tab=groups#members", "/organizations/acme-web?tab=groups#members"},
		{"keeps encoded slashes, which browsers do not decode", "/%2F%2Fevil.example", "/%2F%2Fevil.example"},
		{"keeps an encoded backslash, which browsers do not decode", "/%5Cevil.example", "/%5Cevil.example"},
		{"keeps a path that looks like a scheme", "/javascript:alert(1)", "/javascript:alert(1)"},
		{"drops nothing", "", ""},
		{"drops a relative path", "organizations", ""},
		{"drops a protocol-relative URL", "//evil.example/", ""},
		{"drops three slashes", "///evil.example", ""},
		{"drops a slash and backslash", `/\evil.example`, ""},
		{"drops a backslash later in the path", `/a\..\\evil.example`, ""},
		{"drops an http URL", "http://evil.example/", ""},
		{"drops an https URL", "https://evil.example/", ""},
		{"drops a javascript: URL", "javascript:alert(1)", ""},
		{"drops a data: URL", "data:text/html,<script>alert(1)</script>", ""},
		{"drops a tab browsers would strip into //", "/\t/evil.example", ""},
		{"drops a newline browsers would strip into //", "/\n/evil.example", ""},
		{"drops a carriage return line feed", "/a\r\nSet-Cookie: x=y", ""},
		{"drops DEL", "/a\x7f", ""},
		{"drops a once-decoded encoded slash pair", "%2F%2Fevil.example", ""},
		{"drops user info", "//user@evil.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := login.LocalPath(tt.path); got != tt.want {
				t.Errorf("LocalPath(%q) = %q; want %q", tt.path, got, tt.want)
			}
		})
	}
}
