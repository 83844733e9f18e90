package token_test

import (
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/token"
)

// Two tokens made by token.New, kept so that the format stays stable:
// tokens already issued must keep parsing.
const (
	knownPersonal     = "gat_6objp6q8TzHdjqKsO8Rabgi3hfEbY9UYbrj6DMZIAd90PLFLB"
	knownOrganization = "gsot_Y2OzTaC18Slb7KHl13OFkCkEhocVetv6EZhGuZHi9Kr2WBDjU"
)

func TestNewMakesTokensThatParse(t *testing.T) {
	tests := []struct {
		kind string
		form *regexp.Regexp
	}{
		{gatehouse.TokenPersonal, regexp.MustCompile(`^gat_[0-9A-Za-z]{49}$`)},
		{gatehouse.TokenOrganization, regexp.MustCompile(`^gsot_[0-9A-Za-z]{49}$`)},
	}
	for _, tt := range tests {
		seen := map[string]bool{}
		for range 200 {
			s := token.New(tt.kind)
			if !tt.form.MatchString(s) {
				t.Errorf("New(%q) = %q; want the form %s", tt.kind, s, tt.form)
			}
			if kind, err := token.Parse(s); kind != tt.kind || err != nil {
				t.Errorf("Parse(New(%q)) = %q, %v; want %q, nil", tt.kind, kind, err, tt.kind)
			}
			if seen[s] {
				t.Errorf("New(%q) returned %q twice", tt.kind, s)
			}
			seen[s] = true
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantKind string
		wantMsg  string // part of the refusal; "" when it parses
	}{
		{"accepts a personal token", knownPersonal, gatehouse.TokenPersonal, ""},
		{"accepts an organization token", knownOrganization, gatehouse.TokenOrganization, ""},
		{"refuses a mistyped secret", strings.Replace(knownPersonal, "q8Tz", "q9Tz", 1), "", "checksum"},
		{"refuses a swapped pair of digits", knownPersonal[:10] + knownPersonal[11:12] + knownPersonal[10:11] + knownPersonal[12:], "", "checksum"},
		{"refuses a mistyped checksum", knownPersonal[:len(knownPersonal)-1] + "C", "", "checksum"},
		{"refuses a personal secret under the organization prefix", "gsot_" + strings.TrimPrefix(knownPersonal, "gat_"), "", "checksum"},
		{"refuses a truncated copy", knownPersonal[:len(knownPersonal)-1], "", "gat_ or gsot_"},
		{"refuses a token with a character too many", knownPersonal + "0", "", "gat_ or gsot_"},
		{"refuses a character outside base62", knownPersonal[:20] + "-" + knownPersonal[21:], "", "gat_ or gsot_"},
		{"refuses an unknown prefix", "ghp_" + strings.TrimPrefix(knownPersonal, "gat_"), "", "gat_ or gsot_"},
		{"refuses an upper-case prefix", "GAT_" + strings.TrimPrefix(knownPersonal, "gat_"), "", "gat_ or gsot_"},
		{"refuses the bare prefix", "gat_", "", "gat_ or gsot_"},
		{"refuses the empty string", "", "", "gat_ or gsot_"},
		{"refuses surrounding space", " " + knownPersonal, "", "gat_ or gsot_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, err := token.Parse(tt.in)
			if kind != tt.wantKind {
				t.Errorf("Parse(%q) kind = %q; want %q", tt.in, kind, tt.wantKind)
			}
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Errorf("Parse(%q) = %v; want nil", tt.in, err)
			case tt.wantMsg != "" && (gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED || !strings.Contains(gatehouse.ErrorMessage(err), tt.wantMsg)):
				t.Errorf("Parse(%q) = %v; want an unauthorized error mentioning %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}

func TestHashIsSHA256OfTheWholeToken(t *testing.T) {
	want := sha256.Sum256([]byte(knownPersonal))
	if got := token.Hash(knownPersonal); string(got) != string(want[:]) {
		t.Errorf("Hash(%q) = %x; want %x", knownPersonal, got, want)
	}
	if string(token.Hash(knownPersonal)) == string(token.Hash(knownOrganization)) {
		t.Errorf("two tokens share a hash")
	}
}

func TestNewPanicsOnAnUnknownKind(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Errorf("New(\"session\") did not panic")
		}
	}()
	token.New("session")
}
