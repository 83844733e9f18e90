package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// MustServe starts what "gatehouse serve" starts with c, on 127.0.0.1:0
// and a fresh SQLite file.
func MustServe(tb testing.TB, c Config) *Main {
	tb.Helper()
	c.Addr, c.DB = "127.0.0.1:0", filepath.Join(tb.TempDir(), "gatehouse.db")
	m := &Main{Config: c, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := m.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

// mustSSOToken creates enterprise acme, allowing 203.0.113.0/24 only, with
// an SSO user, and returns a personal token of that user.
func mustSSOToken(tb testing.TB, m *Main) string {
	tb.Helper()
	ctx := context.Background()
	e := &gatehouse.Enterprise{Key: "acme", Name: "Acme", IPAllowList: []string{"203.0.113.0/24"}}
	if err := m.Admin.CreateEnterprise(ctx, gatehouse.Operator, e); err != nil {
		tb.Fatal(err)
	}
	var u *gatehouse.User
	storetest.MustTx(tb, m.Store, func(tx store.Tx) { u = storetest.MustSSOUser(tb, tx, e.ID, "sam@acme.example") })
	c, err := m.Tokens.CreatePersonalToken(ctx, gatehouse.UserActor(u), "ci", time.Time{})
	if err != nil {
		tb.Fatal(err)
	}
	return c.Secret
}

func TestServeTrustsTheConfiguredProxies(t *testing.T) {
	tests := []struct {
		name    string
		proxies string
		want    int // status of GET /api/v1/me from 127.0.0.1, forwarded for 203.0.113.7
	}{
		{"without --trusted-proxies the header is ignored", "", http.StatusForbidden},
		{"with the loopback trusted the forwarded address counts", "10.0.0.0/8, 127.0.0.1", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := MustServe(t, Config{TrustedProxies: tt.proxies})
			req, err := http.NewRequest("GET", m.URL()+"/api/v1/me", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+mustSSOToken(t, m))
			req.Header.Set("X-Forwarded-For", "203.0.113.7")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("GET /api/v1/me = %d; want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

func TestServeRefusesBadTrustedProxies(t *testing.T) {
	m := &Main{Config: Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "gatehouse.db"), TrustedProxies: "10.0.0.0/8,proxy.example"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	err := m.Open(context.Background())
	if err == nil {
		m.Close()
	}
	if err == nil || !strings.Contains(err.Error(), `"proxy.example"`) || !strings.Contains(err.Error(), "--trusted-proxies") {
		t.Errorf("Open with --trusted-proxies 10.0.0.0/8,proxy.example = %v; want an error naming the bad entry", err)
	}
}

func TestJobsRemoveTokensUnusedFor60Days(t *testing.T) {
	m := MustServe(t, Config{})
	ctx := context.Background()
	var u *gatehouse.User
	storetest.MustTx(t, m.Store, func(tx store.Tx) { u = storetest.MustLocalUser(t, tx, "lena") })
	m.Tokens.Now = func() time.Time { return time.Now().Add(-61 * 24 * time.Hour) }
	old, err := m.Tokens.CreatePersonalToken(ctx, gatehouse.UserActor(u), "old", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	m.Tokens.Now = time.Now
	recent, err := m.Tokens.CreatePersonalToken(ctx, gatehouse.UserActor(u), "recent", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	m.runJobs(ctx)
	for secret, want := range map[string]string{old.Secret: gatehouse.EUNAUTHORIZED, recent.Secret: ""} {
		if _, err := m.Tokens.Authenticate(ctx, secret, netip.MustParseAddr("127.0.0.1")); gatehouse.ErrorCode(err) != want {
			t.Errorf("Authenticate after the jobs = %v; want code %q", err, want)
		}
	}
}
