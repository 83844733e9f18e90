package web

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/gatehouse-sso/gatehouse"
)

// maxLimiterKeys bounds the buckets of one limiter: about 100 bytes each,
// so at most a few MB per limiter whatever the traffic.
const maxLimiterKeys = 20000

// A Limit is a token bucket: Burst requests at once, then Rate a second.
// A zero Limit (Burst 0) lets everything through.
type Limit struct {
	Rate  rate.Limit // tokens a second
	Burst int
}

// perMinute is a Limit of n requests a minute, n at once.
func perMinute(n int) Limit { return Limit{Rate: rate.Limit(float64(n) / 60), Burst: n} }

// Limits are the rate limits of the endpoints that anyone may call before
// logging in, per client address (an IPv6 client by its /64) and per
// enterprise or account. Each node keeps its buckets in memory: a cluster
// of N nodes allows N times these rates.
type Limits struct {
	// StartPerClient and StartPerEnterprise limit "GET /login/sso", which
	// records a pending request. At 10 a second, an enterprise's pending
	// requests (10 minutes each) stay under login.MaxPendingRequests on a
	// single node.
	StartPerClient, StartPerEnterprise Limit
	// ACSPerClient and ACSPerEnterprise limit "POST /saml/{key}/acs",
	// where every refusal is written to the audit log.
	ACSPerClient, ACSPerEnterprise Limit
	// LocalPerClient and LocalPerAccount limit "POST /login/local", the
	// password guesses against local accounts.
	LocalPerClient, LocalPerAccount Limit
}

// DefaultLimits are the limits of a server whose Config sets none. The
// per-client limits leave room for an office behind one address.
func DefaultLimits() Limits {
	return Limits{
		StartPerClient:     perMinute(60),
		StartPerEnterprise: Limit{Rate: 10, Burst: 600},
		ACSPerClient:       perMinute(60),
		ACSPerEnterprise:   Limit{Rate: 10, Burst: 600},
		LocalPerClient:     perMinute(10),
		LocalPerAccount:    perMinute(30),
	}
}

// limiters are a Server's limiters, one per Limits field.
type limiters struct {
	startClient, startEnterprise *limiter
	acsClient, acsEnterprise     *limiter
	localClient, localAccount    *limiter
}

func newLimiters(l Limits) limiters {
	return limiters{
		startClient:     newLimiter(l.StartPerClient, "logins from your network address"),
		startEnterprise: newLimiter(l.StartPerEnterprise, "logins to this enterprise"),
		acsClient:       newLimiter(l.ACSPerClient, "sign-ins from your network address"),
		acsEnterprise:   newLimiter(l.ACSPerEnterprise, "sign-ins to this enterprise"),
		localClient:     newLimiter(l.LocalPerClient, "password attempts from your network address"),
		localAccount:    newLimiter(l.LocalPerAccount, "password attempts for this account"),
	}
}

// A limiter holds one token bucket per key, at most maxLimiterKeys.
type limiter struct {
	limit Limit
	// what names what is limited, in the message of a refusal.
	what    string
	mu      sync.Mutex
	buckets map[string]*bucket // guarded by mu
}

// A bucket is the token bucket of one key and when it was last used.
type bucket struct {
	tokens *rate.Limiter
	seen   time.Time
}

func newLimiter(l Limit, what string) *limiter {
	return &limiter{limit: l, what: what, buckets: map[string]*bucket{}}
}

// take takes a token for key at now. It returns 0 when it could, and
// otherwise how long until one is there.
func (l *limiter) take(key string, now time.Time) time.Duration {
	if l.limit.Burst == 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		l.makeRoom(now)
		b = &bucket{tokens: rate.NewLimiter(l.limit.Rate, l.limit.Burst)}
		l.buckets[key] = b
	}
	b.seen = now
	if b.tokens.AllowN(now, 1) {
		return 0
	}
	missing := 1 - b.tokens.TokensAt(now)
	return time.Duration(math.Ceil(missing / float64(l.limit.Rate) * float64(time.Second)))
}

// makeRoom makes room for one more bucket: it drops the full buckets,
// which a new one would equal, and if none is full, the least recently
// used one.
func (l *limiter) makeRoom(now time.Time) {
	if len(l.buckets) < maxLimiterKeys {
		return
	}
	var oldest string
	for k, b := range l.buckets {
		if b.tokens.TokensAt(now) >= float64(l.limit.Burst) {
			delete(l.buckets, k)
		} else if oldest == "" || b.seen.Before(l.buckets[oldest].seen) {
			oldest = k
		}
	}
	if len(l.buckets) >= maxLimiterKeys {
		delete(l.buckets, oldest)
	}
}

// allow takes a token of l for key, and when there is none answers 429
// with Retry-After and a page or JSON saying when to try again. It
// reports whether the request may go on. An empty key is not limited.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, l *limiter, key string) bool {
	if key == "" {
		return true
	}
	wait := l.take(key, s.cfg.Now())
	if wait == 0 {
		return true
	}
	seconds := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(seconds))
	s.renderError(w, r, gatehouse.Errorf(gatehouse.ERATELIMITED, "Too many %s. Try again in %d seconds.", l.what, seconds))
	return false
}

// limited serves h once r has a token of perClient for its client
// address and, when enterprise is not nil, of perEnterprise for the
// enterprise key it returns.
func (s *Server) limited(h http.HandlerFunc, perClient, perEnterprise *limiter, enterprise func(r *http.Request) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.allow(w, r, perClient, clientKey(s.clientAddr(r))) {
			return
		}
		if enterprise != nil && !s.allow(w, r, perEnterprise, enterprise(r)) {
			return
		}
		h(w, r)
	}
}

// clientKey is the rate-limiting key of a client address: the address,
// or for IPv6 its /64, which one subscriber usually holds whole.
func clientKey(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}
