package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/token"
)

// Config is what a Server needs. It is validated once, by New.
type Config struct {
	// BaseURL is the public URL of Gatehouse, without a trailing slash.
	BaseURL *url.URL
	// OperatorToken authenticates the operator on the API; "" disables it.
	OperatorToken string
	Admin         *admin.Service
	Login         *login.Service
	Tokens        *token.Service
	// TrustedProxies are the peers whose X-Forwarded-For header is
	// believed: the client is then its right-most untrusted address.
	// Empty believes no one: the client is the peer.
	TrustedProxies []netip.Prefix
	// Ready reports whether the server can serve: the database answers.
	Ready  func(ctx context.Context) error
	Logger *slog.Logger
	// Registry receives the HTTP metrics; nil makes a new one.
	Registry *prometheus.Registry
	// Now returns the current time; tests set it.
	Now func() time.Time
	// Limits are the rate limits of the login endpoints; nil means
	// DefaultLimits.
	Limits *Limits
}

// A Server is Gatehouse's HTTP handler: the console pages, the REST API,
// the SAML endpoints, health and metrics.
type Server struct {
	cfg      Config
	logger   *slog.Logger
	mux      *http.ServeMux
	handler  http.Handler
	routes   []route
	registry *prometheus.Registry
	metrics  *metrics
	pages    *pages
	limits   limiters
}

// New returns a Server for cfg.
func New(cfg Config) (*Server, error) {
	if cfg.BaseURL == nil || cfg.Admin == nil || cfg.Login == nil || cfg.Tokens == nil || cfg.Ready == nil {
		return nil, fmt.Errorf("web: BaseURL, Admin, Login, Tokens and Ready are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Limits == nil {
		l := DefaultLimits()
		cfg.Limits = &l
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, logger: cfg.Logger, mux: http.NewServeMux(), registry: cfg.Registry, pages: p, limits: newLimiters(*cfg.Limits)}
	if s.metrics, err = newMetrics(cfg.Registry); err != nil {
		return nil, err
	}
	s.routes = s.apiRoutes()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.pattern, s.api(rt))
	}
	s.registerSystemRoutes()
	s.registerLoginRoutes()
	s.registerConsoleRoutes()
	s.handler = s.observe(s.mux)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// maxRequestBody caps the body of every request, the API's JSON
// (maxAPIBody) included.
const maxRequestBody = 1 << 20

type ctxKey int

const requestIDKey ctxKey = iota

// requestID returns the ID given to the request of ctx.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives every request an ID, security headers, a recovery from
// panics, a log line and its metrics.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		// Every body is capped; routes that read one may cap it lower.
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, maxRequestBody)
		}
		h := sw.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		defer func() {
			if p := recover(); p != nil {
				s.logger.ErrorContext(ctx, "panic", "panic", fmt.Sprint(p), "request_id", id)
				if sw.status == 0 {
					s.renderError(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			s.metrics.observe(route, sw.status, elapsed)
			s.logger.InfoContext(ctx, "request", "method", r.Method, "route", route, "path", r.URL.Path,
				"status", sw.status, "duration_ms", float64(elapsed.Microseconds())/1000, "request_id", id)
		}()
		next.ServeHTTP(sw, r)
	})
}
