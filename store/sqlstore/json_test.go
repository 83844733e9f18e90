package sqlstore

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
)

// TestJSONColDecodesStringArraysAsEncodingJSON checks that jsonCol, which
// decodes arrays of strings itself, gives what encoding/json gives, error
// or value, for what the store writes and for what it never writes.
func TestJSONColDecodesStringArraysAsEncodingJSON(t *testing.T) {
	tests := []struct{ name, column string }{
		{"an empty array", `[]`},
		{"one string", `["scan"]`},
		{"several strings", `["admin","scan","provisioning"]`},
		{"an empty string", `[""]`},
		{"a PEM with escaped newlines", `["-----BEGIN CERTIFICATE-----\nMIIB/+x==\n-----END CERTIFICATE-----\n"]`},
		{"every short escape", `["\"\\\/\b\f\n\r\t"]`},
		{"a \\u escape", `["caf\u00e9","\u003cb\u003e"]`},
		{"a surrogate pair", `["\ud83d\ude00"]`},
		{"raw UTF-8", `["café","日本"]`},
		{"invalid UTF-8", "[\"caf\xe9\"]"},
		{"spaces", `[ "a" , "b" ]`},
		{"null", `null`},
		{"a number", `[1]`},
		{"an unterminated string", `["a]`},
		{"a trailing comma", `["a",]`},
		{"a missing comma", `["a""b"]`},
		{"a control character", "[\"a\tb\"]"},
		{"an unknown escape", `["\q"]`},
		{"a backslash at the end", `["\`},
		{"an object", `{"a":"b"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkAsEncodingJSON[[]string](t, tt.column)
			checkAsEncodingJSON[[]gatehouse.Permission](t, tt.column)
		})
	}
	t.Run("round-trips random strings", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		alphabet := []rune("ab \"\\/\b\f\n\r\t\x00\x1f<>&é日\u2028😀")
		for range 1000 {
			v := make([]string, 1+r.IntN(4))
			for i := range v {
				s := make([]rune, r.IntN(12))
				for j := range s {
					s[j] = alphabet[r.IntN(len(alphabet))]
				}
				v[i] = string(s)
			}
			column, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			checkAsEncodingJSON[[]string](t, string(column))
		}
	})
}

func checkAsEncodingJSON[T any](t *testing.T, column string) {
	t.Helper()
	var got, want T
	gotErr := jsonCol[T]{&got}.Scan(column)
	wantErr := json.Unmarshal([]byte(column), &want)
	if column == "[]" {
		var zero T
		want, wantErr = zero, nil
	}
	if (gotErr != nil) != (wantErr != nil) || gotErr == nil && !cmp.Equal(got, want) {
		t.Errorf("jsonCol[%T].Scan(%q) = %#v, %v; encoding/json gives %#v, %v", got, column, got, gotErr, want, wantErr)
	}
}
