package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
)

// maxAPIBody caps the body of an API request.
const maxAPIBody = 1 << 20

// wantsJSON reports whether the client of r reads errors as JSON: API and
// SCIM clients, and clients that ask for it.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/scim/") ||
		strings.Contains(r.Header.Get("Accept"), "application/json")
}

// writeJSON writes v as the JSON body of a response with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"Internal error."}}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// decodeJSON reads the body of r into v: one JSON object, no unknown
// fields, at most maxAPIBody bytes. Its errors name the field at fault.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return gatehouse.Invalidf("", "The request body must be JSON (Content-Type: application/json), not %q.", ct)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAPIBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return gatehouse.Invalidf("", "The request body must hold a single JSON object.")
	}
	return nil
}

// jsonError turns a decoding error into an error for the client.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return gatehouse.Errorf(gatehouse.ETOOLARGE, "The request body is larger than %d bytes.", big.Limit)
	case errors.Is(err, io.EOF):
		return gatehouse.Invalidf("", "The request body is empty; it must be a JSON object.")
	case errors.As(err, &syn):
		return gatehouse.Invalidf("", "The request body is not valid JSON (at byte %d).", syn.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return gatehouse.Invalidf("", "The request body is not valid JSON: it ends too early.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return gatehouse.Invalidf("", "The request body must be a JSON object, not %s.", typ.Value)
		}
		return gatehouse.Invalidf(typ.Field, "Field %q must be %s, not %s.", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	}
	// encoding/json reports an unknown field only in its message:
	// `json: unknown field "name"`.
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		f = strings.Trim(f, `"`)
		return gatehouse.Invalidf(f, "Field %q is not known here.", f)
	}
	return gatehouse.Invalidf("", "The request body is not valid: %v.", err)
}

// jsonKind names a Go kind as a JSON type.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return fmt.Sprintf("a number (%s)", kind)
}

// writeList writes items, converted by conv, as a JSON array ([] when empty).
func writeList[T, J any](w http.ResponseWriter, items []T, conv func(T) J) {
	out := make([]J, 0, len(items))
	for _, it := range items {
		out = append(out, conv(it))
	}
	writeJSON(w, http.StatusOK, out)
}

// noContent answers 204 if err is nil, and returns err.
func noContent(w http.ResponseWriter, err error) error {
	if err == nil {
		w.WriteHeader(http.StatusNoContent)
	}
	return err
}
