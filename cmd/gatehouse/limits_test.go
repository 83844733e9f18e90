package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-sso/gatehouse/web"
)

// TestServeRateLimitsPasswordGuesses makes one more password guess at the
// local login of a running server, all at once from one address, than its
// limits allow: the default ones, then limits given to Main. Exactly one
// is refused with 429 and Retry-After. (All at once, since the buckets
// refill with the real clock while argon2id works.)
func TestServeRateLimitsPasswordGuesses(t *testing.T) {
	tests := []struct {
		name    string
		limits  *web.Limits
		allowed int
	}{
		{"the default limits", nil, web.DefaultLimits().LocalPerClient.Burst},
		{"limits given to Main", &web.Limits{LocalPerClient: web.Limit{Rate: 0.01, Burst: 2}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Main{Config: Config{Addr: "127.0.0.1:0", DB: filepath.Join(t.TempDir(), "gatehouse.db")},
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Limits: tt.limits}
			if err := m.Open(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			var wg sync.WaitGroup
			retries := make(chan string, tt.allowed+1)
			for range tt.allowed + 1 {
				wg.Go(func() {
					if status, retry := guessPassword(t, m.URL()); status == http.StatusTooManyRequests {
						retries <- retry
					}
				})
			}
			wg.Wait()
			close(retries)
			var got []string
			for r := range retries {
				got = append(got, r)
			}
			if len(got) != 1 || got[0] == "" {
				t.Errorf("%d guesses at once: Retry-After of the 429s = %q; want one 429 with Retry-After", tt.allowed+1, got)
			}
		})
	}
}

// guessPassword posts a wrong password for root to the local login form
// and returns the status and Retry-After. It may run in its own goroutine.
func guessPassword(t *testing.T, base string) (int, string) {
	t.Helper()
	const csrf = "a-csrf-token-of-at-least-32-characters"
	form := url.Values{"csrf": {csrf}, "login": {"root"}, "password": {"guess"}}
	req, err := http.NewRequest(http.MethodPost, base+"/login/local", strings.NewReader(form.Encode()))
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "gh_csrf", Value: csrf})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}
