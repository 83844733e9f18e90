package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkAuthzCheck serves the access check with a personal token
// through the whole handler (routing, logging, metrics), without the
// network: what a request costs the server on SQLite.
func BenchmarkAuthzCheck(b *testing.B) {
	ts := MustServer(b)
	seed(b, ts)
	ts.mustCall(b, 204, "POST", fmt.Sprintf("/api/v1/groups/%d/members", ts.groupID(b, "acme-web", "Developers")), map[string]any{"login": "lena"})
	tok := ts.MustToken(b, "lena", time.Time{})
	h := ts.Config.Handler
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("GET", "/api/v1/authz/check?organization=acme-web&permission=scan&project=acme-web-app", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || rec.Body.String() != "{\"allowed\":true}\n" {
				b.Fatalf("GET /authz/check = %d %s", rec.Code, rec.Body)
			}
		}
	})
}
