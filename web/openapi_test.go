package web_test

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes holds openapi.json against the server: every
// documented operation is routed (an unauthenticated call reaches the
// API's own 401, not the router's 404 or 405), path parameters are
// declared, and every schema reference resolves.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	ts := MustServer(t)
	doc := ts.mustCall(t, 200, "GET", "/api/v1/openapi.json", nil).Body.(map[string]any)
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi = %v; want 3.0.3", doc["openapi"])
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	paths := doc["paths"].(map[string]any)
	param := regexp.MustCompile(`\{([a-z_]+)\}`)
	ids := map[string]bool{}
	var ops int
	for path, item := range paths {
		for method, o := range item.(map[string]any) {
			ops++
			op := o.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q missing or repeated", method, path, id)
			}
			ids[id] = true
			declared := map[string]bool{}
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				pm := p.(map[string]any)
				if pm["in"] == "path" {
					declared[pm["name"].(string)] = true
				}
			}
			concrete := path
			for _, m := range param.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s %s: path parameter %s not declared", method, path, m[1])
				}
				concrete = strings.Replace(concrete, m[0], "1", 1)
			}
			r := ts.callAs(t, "", strings.ToUpper(method), "/api/v1"+concrete, nil)
			if r.Status != 401 || r.errorCode() != "unauthorized" {
				t.Errorf("%s %s is documented but not routed: %d %v", method, path, r.Status, r.Body)
			}
		}
	}
	if ops < 30 {
		t.Errorf("only %d operations documented", ops)
	}
	for _, ref := range refs(doc) {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		if _, ok := schemas[name]; !ok {
			t.Errorf("reference %s does not resolve", ref)
		}
	}
}

// TestUndocumentedPathsAreNotRouted checks the converse on paths close to
// real ones, and that the refusal is the API's JSON: 405 with the methods
// the path takes, or 404.
func TestUndocumentedPathsAreNotRouted(t *testing.T) {
	ts := MustServer(t)
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"PUT", "/api/v1/enterprises", 405, "method_not_allowed", "GET, HEAD, POST"},
		{"GET", "/api/v1/enterprise", 404, "not_found", ""},
		{"POST", "/api/v1/groups/1", 405, "method_not_allowed", "GET, HEAD, PATCH, DELETE"},
		{"POST", "/api/v1/nosuch", 404, "not_found", ""},
	}
	for _, tt := range tests {
		r := ts.callAs(t, "", tt.method, tt.path, nil)
		if r.Status != tt.status || r.errorCode() != tt.code || r.Header.Get("Allow") != tt.allow || !strings.Contains(r.errorMessage(), tt.path) {
			t.Errorf("%s %s = %d %v, Allow %q; want %d %q naming the path, Allow %q", tt.method, tt.path, r.Status, r.Body, r.Header.Get("Allow"), tt.status, tt.code, tt.allow)
		}
	}
}

// refs collects every $ref in v.
func refs(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				out = append(out, s)
			}
			out = append(out, refs(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, refs(e)...)
		}
	}
	sort.Strings(out)
	return out
}
