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

func TestStaticServesItsFilesAndNothingElse(t *testing.T) {
	ts := MustServer(t)
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/static/gatehouse.css", 200, "--brand"},
		{"/static/nosuch.css", 404, "There is no page at /static/nosuch.css."},
		{"/static/", 404, "There is no page at /static/."},
	}
	for _, tt := range tests {
		r := ts.callAs(t, "", "GET", tt.path, nil)
		if body, _ := r.Body.(string); r.Status != tt.status || !strings.Contains(body, tt.want) {
			t.Errorf("GET %s = %d; want %d with %q in:\n%s", tt.path, r.Status, tt.status, tt.want, body)
		}
	}
}
