package web_test

import (
	"strings"
	"testing"
)

func TestHealthReadyMetrics(t *testing.T) {
	ts := MustServer(t)
	ts.mustCall(t, 200, "GET", "/healthz", nil)
	ts.mustCall(t, 200, "GET", "/readyz", nil)
	ts.mustCall(t, 200, "GET", "/api/v1/enterprises", nil)
	ts.callAs(t, "", "GET", "/api/v1/enterprises", nil)
	m := ts.mustCall(t, 200, "GET", "/metrics", nil).Body.(string)
	for _, want := range []string{
		`gatehouse_http_requests_total{route="GET /api/v1/enterprises",status="200"} 1`,
		`gatehouse_http_requests_total{route="GET /api/v1/enterprises",status="401"} 1`,
		`gatehouse_http_request_duration_seconds_bucket{route="GET /healthz"`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestReadyzFailsWithoutDatabase(t *testing.T) {
	ts := MustServer(t)
	ts.Store.Close()
	r := ts.call(t, "GET", "/readyz", nil)
	if r.Status != 503 {
		t.Errorf("/readyz with a closed database = %d; want 503", r.Status)
	}
}
