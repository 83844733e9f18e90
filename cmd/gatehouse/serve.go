package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/token"
	"github.com/gatehouse-sso/gatehouse/web"
)

// Config is how a Gatehouse server is run.
type Config struct {
	// Addr is the address to listen on, host:port.
	Addr string
	// BaseURL is the public URL; "" means http:// and the address listened on.
	BaseURL string
	// DB is an SQLite file path or a postgres:// URL.
	DB string
	// AdminToken is the operator's API token; "" disables operator API access.
	AdminToken string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// TrustedProxies lists, comma-separated, the CIDR ranges of the
	// reverse proxies whose X-Forwarded-For header is believed; "" trusts
	// none, and the client is the peer.
	TrustedProxies string
	// AllowPrivateMetadataURLs lets IdP metadata be fetched from loopback
	// and private addresses. Off by default: enterprise admins choose the
	// URL, and must not reach the server's own network through it.
	AllowPrivateMetadataURLs bool
}

// bindFlags registers c's flags on fs, with defaults from the environment.
func (c *Config) bindFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", env("GATEHOUSE_ADDR", "127.0.0.1:8080"), "address to listen on (GATEHOUSE_ADDR)")
	fs.StringVar(&c.BaseURL, "base-url", env("GATEHOUSE_BASE_URL", ""), "public URL of Gatehouse; default http:// + the address (GATEHOUSE_BASE_URL)")
	c.bindDBFlag(fs)
	fs.StringVar(&c.LogLevel, "log-level", env("GATEHOUSE_LOG_LEVEL", "info"), "debug, info, warn or error (GATEHOUSE_LOG_LEVEL)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("GATEHOUSE_TRUSTED_PROXIES", ""),
		"comma-separated CIDR ranges of the reverse proxies whose X-Forwarded-For is believed; empty trusts none (GATEHOUSE_TRUSTED_PROXIES)")
	fs.BoolVar(&c.AllowPrivateMetadataURLs, "allow-private-metadata-urls", env("GATEHOUSE_ALLOW_PRIVATE_METADATA_URLS", "") == "true",
		"fetch IdP metadata from loopback and private addresses too (GATEHOUSE_ALLOW_PRIVATE_METADATA_URLS=true)")
	c.AdminToken = os.Getenv("GATEHOUSE_ADMIN_TOKEN")
}

// bindDBFlag registers --db on fs.
func (c *Config) bindDBFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", env("GATEHOUSE_DB", "./gatehouse.db"), "SQLite file path or postgres:// URL (GATEHOUSE_DB)")
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// maxHeaderBytes caps the request headers (net/http's default is 1 MiB):
// Gatehouse's cookies and a bearer token fit many times over.
const maxHeaderBytes = 64 << 10

// A Main is a running Gatehouse server: its database, services, HTTP
// listener and background jobs. End-to-end tests start one on 127.0.0.1:0.
type Main struct {
	Config Config
	Logger *slog.Logger
	// Mount, if set, is called once the base URL is known and may return
	// handlers to serve beside Gatehouse, by path prefix (the demo mounts
	// its development IdP this way).
	Mount func(base *url.URL) (map[string]http.Handler, error)
	// Limits, if set, replaces web.DefaultLimits: end-to-end tests that log
	// in more often than people do raise them.
	Limits *web.Limits

	// Set by Open.
	Store   *sqlstore.DB
	Admin   *admin.Service
	Login   *login.Service
	Tokens  *token.Service
	baseURL *url.URL
	ln      net.Listener
	http    *http.Server
	served  chan error
	stop    context.CancelFunc
	jobs    sync.WaitGroup
}

// Open opens the database (running its migrations), builds the services,
// starts serving HTTP and starts the background jobs.
func (m *Main) Open(ctx context.Context) (err error) {
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	defer func() {
		if err != nil {
			m.Close()
		}
	}()
	proxies, err := trustedProxies(m.Config.TrustedProxies)
	if err != nil {
		return err
	}
	if m.ln, err = net.Listen("tcp", m.Config.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	if m.baseURL, err = baseURL(m.Config.BaseURL, m.ln.Addr()); err != nil {
		return err
	}
	if m.Store, err = sqlstore.Open(ctx, m.Config.DB); err != nil {
		return err
	}
	m.Admin = admin.NewService(m.Store, m.baseURL)
	m.Admin.HTTPClient = newFetchClient(m.Config.AllowPrivateMetadataURLs)
	m.Login = login.NewService(m.Store, m.baseURL)
	m.Tokens = token.NewService(m.Store)
	handler, err := m.handler(proxies)
	if err != nil {
		return err
	}
	m.http = &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: maxHeaderBytes,
		ErrorLog: slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn)}
	m.served = make(chan error, 1)
	go func() { m.served <- m.http.Serve(m.ln) }()
	m.startJobs()
	m.Logger.Info("gatehouse listening", "addr", m.ln.Addr().String(), "base_url", m.baseURL.String(), "db", sqlstore.Redact(m.Config.DB))
	return nil
}

// handler returns Gatehouse's HTTP handler, with what Mount adds.
func (m *Main) handler(proxies []netip.Prefix) (http.Handler, error) {
	srv, err := web.New(web.Config{BaseURL: m.baseURL, OperatorToken: m.Config.AdminToken, Admin: m.Admin, Login: m.Login,
		Tokens: m.Tokens, TrustedProxies: proxies, Limits: m.Limits, Ready: m.Store.Ping, Logger: m.Logger})
	if err != nil || m.Mount == nil {
		return srv, err
	}
	extra, err := m.Mount(m.baseURL)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv)
	for prefix, h := range extra {
		mux.Handle(prefix, h)
	}
	return mux, nil
}

// trustedProxies parses the --trusted-proxies list.
func trustedProxies(list string) ([]netip.Prefix, error) {
	cidrs, err := gatehouse.CanonicalCIDRs("--trusted-proxies", splitList(list))
	if err != nil {
		return nil, errors.New(gatehouse.ErrorMessage(err))
	}
	out := make([]netip.Prefix, len(cidrs))
	for i, c := range cidrs {
		out[i] = netip.MustParsePrefix(c) // CanonicalCIDRs made it canonical
	}
	return out, nil
}

// URL returns the public base URL, without a trailing slash.
func (m *Main) URL() string { return m.baseURL.String() }

// Close stops the background jobs and serving, waiting up to 10 seconds
// for requests in flight, and closes the database.
func (m *Main) Close() error {
	var errs []error
	if m.stop != nil {
		m.stop()
		m.jobs.Wait()
	}
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errs = append(errs, m.http.Shutdown(ctx))
		if err := <-m.served; !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.http = nil
	} else if m.ln != nil {
		errs = append(errs, m.ln.Close())
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
		m.Store = nil
	}
	return errors.Join(errs...)
}

// baseURL parses the configured public URL, or derives it from the
// address listened on.
func baseURL(configured string, addr net.Addr) (*url.URL, error) {
	if configured == "" && addr != nil {
		configured = "http://" + addr.String()
	}
	u, err := url.Parse(strings.TrimSuffix(configured, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q must be an http or https URL without query or fragment", configured)
	}
	return u, nil
}

// newLogger returns a JSON logger at level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// runServe handles "gatehouse serve": it serves until ctx ends (SIGINT,
// SIGTERM), then shuts down gracefully.
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	m := &Main{}
	m.Config.bindFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger, err := newLogger(stderr, m.Config.LogLevel)
	if err != nil {
		return err
	}
	m.Logger = logger
	if m.Config.AdminToken == "" {
		logger.Warn("GATEHOUSE_ADMIN_TOKEN is not set: the operator cannot use the API")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
		logger.Info("shutting down")
	case err := <-m.served:
		m.served <- err
		logger.Error("server stopped", "err", err)
	}
	return m.Close()
}

// runMigrate handles "gatehouse migrate".
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c Config
	c.bindDBFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	v, err := sqlstore.Migrate(ctx, c.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is at schema version %d\n", sqlstore.Redact(c.DB), v)
	return nil
}
