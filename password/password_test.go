package password

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		hash string
		pw   string
		want bool
	}{
		{"accepts the right password", h, "correct horse battery staple", true},
		{"refuses a wrong password", h, "correct horse battery stapler", false},
		{"refuses when there is no hash", "", "correct horse battery staple", false},
		{"refuses the dummy hash's password when the user has no hash", "", dummyPassword, false},
		{"refuses a malformed hash", "$argon2id$v=19$garbage", "x", false},
		{"refuses another algorithm", "$2a$10$abcdefghijklmnopqrstuv", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Verify(tt.hash, tt.pw); got != tt.want {
				t.Errorf("Verify(%q, %q) = %v; want %v", tt.hash, tt.pw, got, tt.want)
			}
		})
	}
}

// dummyPassword is the password dummy is the hash of.
const dummyPassword = "not the password of any account"

// TestVerifyWithoutHashCostsAWholeCheck checks that dummy is a hash that
// verify reads to the end, with the parameters of new hashes, so that
// Verify of an unknown login runs argon2id as long as a wrong password
// does, rather than failing fast on a malformed hash.
func TestVerifyWithoutHashCostsAWholeCheck(t *testing.T) {
	if !verify(dummy, dummyPassword) {
		t.Errorf("verify(dummy, %q) = false; want dummy to be a well-formed hash of it", dummyPassword)
	}
	h, err := Hash(dummyPassword)
	if err != nil {
		t.Fatal(err)
	}
	if params := func(h string) string { return strings.Join(strings.Split(h, "$")[:4], "$") }; params(dummy) != params(h) {
		t.Errorf("dummy has parameters %q; want those of new hashes, %q", params(dummy), params(h))
	}
}

func TestHashIsSalted(t *testing.T) {
	a, _ := Hash("same password here")
	b, _ := Hash("same password here")
	if a == b {
		t.Errorf("two hashes of one password are equal: %q", a)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		pw      string
		wantErr bool
	}{
		{"short", true},
		{"exactly12chr", false},
		{strings.Repeat("x", 256), false},
		{strings.Repeat("x", 257), true},
		// Characters, not bytes, as the messages say.
		{strings.Repeat("é", 11), true},
		{strings.Repeat("é", 256), false},
	}
	for _, tt := range tests {
		if err := Validate(tt.pw); (err != nil) != tt.wantErr {
			t.Errorf("Validate(%d characters, %d bytes) = %v; wantErr %v", utf8.RuneCountInString(tt.pw), len(tt.pw), err, tt.wantErr)
		}
	}
}
