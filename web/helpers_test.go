package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/token"
	"github.com/gatehouse-sso/gatehouse/web"
)

const operatorToken = "test-operator-token"

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// testServer is a Gatehouse web server over a fresh SQLite store.
type testServer struct {
	*httptest.Server
	Store  store.Store
	Tokens *token.Service
}

// MustServer starts a test server.
func MustServer(tb testing.TB) *testServer {
	tb.Helper()
	return MustServerWith(tb, nil)
}

// MustServerWith starts a test server whose configuration configure, if
// not nil, changes.
func MustServerWith(tb testing.TB, configure func(c *web.Config)) *testServer {
	tb.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(tb.TempDir(), "gatehouse.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	ts := &testServer{Store: st}
	ts.Server = httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + ts.Listener.Addr().String())
	a := admin.NewService(st, base)
	a.Now = func() time.Time { return testNow }
	l := login.NewService(st, base)
	l.Now = a.Now
	ts.Tokens = token.NewService(st)
	ts.Tokens.Now = a.Now
	cfg := web.Config{BaseURL: base, OperatorToken: operatorToken, Admin: a, Login: l, Tokens: ts.Tokens, Ready: st.Ping,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return testNow }}
	if configure != nil {
		configure(&cfg)
	}
	srv, err := web.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	ts.Config.Handler = srv
	ts.Start()
	tb.Cleanup(ts.Close)
	return ts
}

// response is a decoded API answer.
type response struct {
	Status int
	Body   any
	Header http.Header
}

// errorCode returns the error.code of an error body.
func (r response) errorCode() string {
	m, _ := r.Body.(map[string]any)
	e, _ := m["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// errorField returns the error.field of an error body.
func (r response) errorField() string {
	m, _ := r.Body.(map[string]any)
	e, _ := m["error"].(map[string]any)
	s, _ := e["field"].(string)
	return s
}

// errorMessage returns the error.message of an error body.
func (r response) errorMessage() string {
	m, _ := r.Body.(map[string]any)
	e, _ := m["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}

// field returns the top-level field name of an object body.
func (r response) field(name string) any {
	m, _ := r.Body.(map[string]any)
	return m[name]
}

// call sends a request with the operator token; body is JSON-encoded
// unless it is a string, which is sent as is.
func (ts *testServer) call(tb testing.TB, method, path string, body any) response {
	tb.Helper()
	return ts.callAs(tb, operatorToken, method, path, body)
}

// callAs is call with another bearer token ("" for none).
func (ts *testServer) callAs(tb testing.TB, token, method, path string, body any) response {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	out := response{Status: resp.StatusCode, Header: resp.Header}
	if len(raw) > 0 && resp.Header.Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			tb.Fatalf("%s %s: bad JSON %q: %v", method, path, raw, err)
		}
	} else {
		out.Body = string(raw)
	}
	return out
}

// mustCall is call that fails the test unless the status is want.
func (ts *testServer) mustCall(tb testing.TB, want int, method, path string, body any) response {
	tb.Helper()
	r := ts.call(tb, method, path, body)
	if r.Status != want {
		tb.Fatalf("%s %s = %d %v; want %d", method, path, r.Status, r.Body, want)
	}
	return r
}

// snapshot returns a JSON rendering of everything an operator can read,
// so a test can prove that a refused request changed nothing.
func (ts *testServer) snapshot(tb testing.TB) string {
	tb.Helper()
	var out []any
	for _, p := range []string{"/api/v1/enterprises", "/api/v1/organizations", "/api/v1/users", "/api/v1/audit-events?limit=500"} {
		out = append(out, ts.mustCall(tb, 200, "GET", p, nil).Body)
	}
	orgs := ts.mustCall(tb, 200, "GET", "/api/v1/organizations", nil).Body.([]any)
	for _, o := range orgs {
		key := o.(map[string]any)["key"].(string)
		for _, p := range []string{"/groups", "/projects", "/members"} {
			out = append(out, ts.mustCall(tb, 200, "GET", "/api/v1/organizations/"+key+p, nil).Body)
		}
	}
	buf, _ := json.Marshal(out)
	return string(buf)
}

// MustIdPCert returns the PEM certificate of a new test IdP.
func MustIdPCert(tb testing.TB) string {
	tb.Helper()
	idp, err := samltest.NewIdP("https://idp.example.com", testNow)
	if err != nil {
		tb.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Certificate.Raw}))
}
