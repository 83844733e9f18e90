package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var limiterNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func TestLimiterTake(t *testing.T) {
	tests := []struct {
		name  string
		limit Limit
		// at are the instants, relative to limiterNow, of the requests of
		// one key; want is what take returns for each.
		at   []time.Duration
		want []time.Duration
	}{
		{
			name:  "lets a burst through, then says when the next token comes",
			limit: Limit{Rate: 1, Burst: 2},
			at:    []time.Duration{0, 0, 0, 250 * time.Millisecond},
			want:  []time.Duration{0, 0, time.Second, 750 * time.Millisecond},
		},
		{
			name:  "refills at the rate",
			limit: perMinute(2),
			at:    []time.Duration{0, 0, 0, 30 * time.Second, 30 * time.Second},
			want:  []time.Duration{0, 0, 30 * time.Second, 0, 30 * time.Second},
		},
		{
			name:  "a refused request costs nothing",
			limit: Limit{Rate: 1, Burst: 1},
			at:    []time.Duration{0, 0, 0, 0, time.Second},
			want:  []time.Duration{0, time.Second, time.Second, time.Second, 0},
		},
		{
			name:  "a zero limit lets everything through",
			limit: Limit{},
			at:    []time.Duration{0, 0, 0},
			want:  []time.Duration{0, 0, 0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLimiter(tt.limit, "requests")
			for i, at := range tt.at {
				if got := l.take("k", limiterNow.Add(at)); got != tt.want[i] {
					t.Errorf("take() #%d at +%v = %v; want %v", i+1, at, got, tt.want[i])
				}
			}
		})
	}
}

func TestLimiterKeepsKeysApart(t *testing.T) {
	l := newLimiter(Limit{Rate: 1, Burst: 1}, "requests")
	if l.take("a", limiterNow) != 0 || l.take("b", limiterNow) != 0 {
		t.Fatal("take() refused the first request of a key")
	}
	if l.take("a", limiterNow) == 0 {
		t.Error("take(a) let a second request through")
	}
}

func TestLimiterBoundsItsMemory(t *testing.T) {
	l := newLimiter(Limit{Rate: 1, Burst: 2}, "requests")
	for i := range maxLimiterKeys + 100 {
		l.take(fmt.Sprintf("client-%d", i), limiterNow)
	}
	if got := l.size(); got != maxLimiterKeys {
		t.Errorf("size() = %d; want %d", got, maxLimiterKeys)
	}
}

func TestLimiterDropsFullBucketsFirst(t *testing.T) {
	l := newLimiter(Limit{Rate: 1, Burst: 2}, "requests")
	for i := range maxLimiterKeys - 1 {
		l.take(fmt.Sprintf("client-%d", i), limiterNow)
	}
	// The attacker drains its bucket last, so it is not the least
	// recently used.
	for range 3 {
		l.take("attacker", limiterNow.Add(time.Millisecond))
	}
	// 1.5 s later every client bucket is full again, and the attacker's
	// is not: a new key drops the full ones, which a new bucket equals.
	at := limiterNow.Add(1500 * time.Millisecond)
	l.take("newcomer", at)
	if got := l.size(); got != 2 {
		t.Errorf("size() = %d after the full buckets were dropped; want 2", got)
	}
	if l.take("attacker", at) != 0 {
		t.Error("take(attacker) refused after a refill of one token")
	}
	if l.take("attacker", at) == 0 {
		t.Error("take(attacker) found a full bucket: the drained one was dropped")
	}
}

func TestLimiterDropsTheLeastRecentlyUsedWhenNoneIsFull(t *testing.T) {
	l := newLimiter(Limit{Rate: 0.0001, Burst: 1}, "requests")
	for i := range maxLimiterKeys {
		l.take(fmt.Sprintf("client-%d", i), limiterNow.Add(time.Duration(i)*time.Millisecond))
	}
	l.take("newcomer", limiterNow.Add(time.Minute))
	if got := l.size(); got != maxLimiterKeys {
		t.Errorf("size() = %d; want %d", got, maxLimiterKeys)
	}
	if _, ok := l.buckets["client-0"]; ok {
		t.Error("the least recently used bucket, client-0, was kept")
	}
	if _, ok := l.buckets["client-1"]; !ok {
		t.Error("client-1 was dropped; only the least recently used should be")
	}
}

func TestClientKey(t *testing.T) {
	tests := []struct {
		addr string
		want string
	}{
		{"192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"},
		{"", "unknown"},
	}
	for _, tt := range tests {
		var a netip.Addr
		if tt.addr != "" {
			a = netip.MustParseAddr(tt.addr)
		}
		if got := clientKey(a); got != tt.want {
			t.Errorf("clientKey(%q) = %q; want %q", tt.addr, got, tt.want)
		}
	}
}

func TestObserveCapsEveryBody(t *testing.T) {
	m, err := newMetrics(prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{logger: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: m}
	for _, size := range []int{maxRequestBody, maxRequestBody + 1} {
		var read int64
		var readErr error
		h := s.observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			read, readErr = io.Copy(io.Discard, r.Body)
		}))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/anything", strings.NewReader(strings.Repeat("x", size))))
		var tooLarge *http.MaxBytesError
		if got := errors.As(readErr, &tooLarge); got != (size > maxRequestBody) || read > maxRequestBody {
			t.Errorf("a %d-byte body: read %d bytes, error %v; want at most %d bytes, and an error past them", size, read, readErr, maxRequestBody)
		}
	}
}

// size returns how many buckets l holds.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
