package web

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gatehouse-sso/gatehouse"
)

// handleOpenAPI handles "GET /api/v1/openapi.json": the OpenAPI 3 document
// of the REST API, built from the route table that also serves it.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.openAPI())
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// openAPI returns the OpenAPI 3.0 document of s.routes.
func (s *Server) openAPI() map[string]any {
	g := &schemaGen{components: map[string]any{}}
	errRef := g.ref(reflect.TypeOf(apiError{}))
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		path := strings.TrimPrefix(rt.pattern, "/api/v1")
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(rt.method)] = g.operation(rt, errRef)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "Gatehouse API",
			"version":     "1",
			"description": "Enterprises, organizations, groups with permissions, projects, users, SSO, tokens and the audit log. Errors are {\"error\": {\"code\", \"message\"}}.",
		},
		"servers":    []any{map[string]any{"url": s.cfg.BaseURL.String() + "/api/v1"}},
		"security":   []any{map[string]any{"bearer": []any{}}},
		"paths":      paths,
		"components": map[string]any{"schemas": g.components, "securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}}},
	}
}

// operation describes rt.
func (g *schemaGen) operation(rt route, errRef map[string]any) map[string]any {
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     rt.summary,
		"tags":        []string{rt.tag},
	}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(rt.pattern, -1) {
		typ := "string"
		if m[1] == "id" {
			typ = "integer"
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": typ}})
	}
	for _, q := range rt.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": map[string]any{"type": q.typ}})
	}
	if params != nil {
		op["parameters"] = params
	}
	if rt.request != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.request).Elem())}}}
	}
	success := map[string]any{"description": http.StatusText(rt.status)}
	if rt.response != nil {
		success["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.response))}}
	}
	errResp := map[string]any{"description": "Refused; see error.code and error.message.",
		"content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
	op["responses"] = map[string]any{strconv.Itoa(rt.status): success, "default": errResp}
	return op
}

// operationID names rt's operation: handleCreateGroup → createGroup.
func operationID(rt route) string {
	name := runtimeName(rt)
	name = strings.TrimPrefix(name, "handle")
	return string(unicode.ToLower(rune(name[0]))) + name[1:]
}

// schemaGen turns Go types into JSON schemas, named types into components.
type schemaGen struct {
	components map[string]any
}

var (
	timeType       = reflect.TypeOf(time.Time{})
	permissionType = reflect.TypeOf(gatehouse.Permission(""))
)

// ref returns a $ref to the component for the struct type t.
func (g *schemaGen) ref(t reflect.Type) map[string]any {
	name := componentName(t)
	if _, ok := g.components[name]; !ok {
		g.components[name] = map[string]any{} // placeholder against recursion
		g.components[name] = g.object(t)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// schema returns the schema of t.
func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == permissionType:
		enum := make([]string, len(gatehouse.Permissions))
		for i, p := range gatehouse.Permissions {
			enum[i] = string(p)
		}
		return map[string]any{"type": "string", "enum": enum}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.schema(t.Elem())
	case reflect.Struct:
		return g.ref(t)
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": true}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	}
	return map[string]any{}
}

// object returns the schema of struct type t from its json and desc tags.
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		p := g.schema(f.Type)
		if d := f.Tag.Get("desc"); d != "" {
			if _, isRef := p["$ref"]; isRef {
				p = map[string]any{"allOf": []any{p}, "description": d}
			} else {
				p["description"] = d
			}
		}
		props[name] = p
		if !strings.Contains(opts, "omitempty") && f.Type.Kind() != reflect.Pointer {
			required = append(required, name)
		}
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if required != nil {
		out["required"] = required
	}
	return out
}

// componentName names a struct type: enterpriseJSON → Enterprise,
// createGroupRequest → CreateGroupRequest.
func componentName(t reflect.Type) string {
	n := strings.TrimSuffix(t.Name(), "JSON")
	return string(unicode.ToUpper(rune(n[0]))) + n[1:]
}
