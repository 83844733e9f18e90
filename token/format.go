package token

import (
	"crypto/rand"
	"crypto/sha256"
	"hash/crc32"
	"math/big"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
)

// Prefixes of the two kinds of token, which secret scanners recognise.
const (
	PersonalPrefix     = "gat_"  // a personal access token
	OrganizationPrefix = "gsot_" // a scoped organization token
)

const (
	// secretLen is how many base62 digits hold a 256-bit number: 62^43 > 2^256.
	secretLen = 43
	// checksumLen is how many base62 digits hold a CRC-32: 62^6 > 2^32.
	checksumLen = 6
	// digits are the base62 digits in the order math/big uses.
	digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// errMalformed refuses a string that is not a Gatehouse token at all.
var errMalformed = gatehouse.Errorf(gatehouse.EUNAUTHORIZED,
	"The token is not valid: a Gatehouse token is gat_ or gsot_ followed by %d letters and digits.", secretLen+checksumLen)

// errChecksum refuses a token whose checksum does not match: a typo or a
// truncated copy, caught before any database work.
var errChecksum = gatehouse.Errorf(gatehouse.EUNAUTHORIZED,
	"The token is not valid: its checksum does not match, so it was mistyped or not copied whole.")

// New returns a new token of kind ([gatehouse.TokenPersonal] or
// [gatehouse.TokenOrganization]): the prefix, a 256-bit random secret in
// base62 (43 digits) and the CRC-32 of both in base62 (6 digits), 53 or 54
// characters in all. It panics on any other kind, a programming error.
func New(kind string) string {
	prefix := prefixOf(kind)
	if prefix == "" {
		panic("token.New: unknown kind " + kind)
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	s := new(big.Int).SetBytes(b).Text(62)
	body := prefix + strings.Repeat("0", secretLen-len(s)) + s
	return body + checksum(body)
}

// Parse checks the form of s, before any database work, and returns the
// kind of token it is. A string of another form, or whose checksum does
// not match, is an EUNAUTHORIZED *gatehouse.Error.
func Parse(s string) (kind string, err error) {
	var rest string
	switch {
	case strings.HasPrefix(s, PersonalPrefix):
		kind, rest = gatehouse.TokenPersonal, s[len(PersonalPrefix):]
	case strings.HasPrefix(s, OrganizationPrefix):
		kind, rest = gatehouse.TokenOrganization, s[len(OrganizationPrefix):]
	default:
		return "", errMalformed
	}
	if len(rest) != secretLen+checksumLen || strings.Trim(rest, digits) != "" {
		return "", errMalformed
	}
	body := s[:len(s)-checksumLen]
	if checksum(body) != s[len(body):] {
		return "", errChecksum
	}
	return kind, nil
}

// Hash returns the SHA-256 of the whole token s: what the store keeps.
func Hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// prefixOf returns the prefix of kind, or "" for an unknown kind.
func prefixOf(kind string) string {
	switch kind {
	case gatehouse.TokenPersonal:
		return PersonalPrefix
	case gatehouse.TokenOrganization:
		return OrganizationPrefix
	}
	return ""
}

// checksum returns the CRC-32 (IEEE) of body in checksumLen base62 digits.
func checksum(body string) string {
	n := crc32.ChecksumIEEE([]byte(body))
	var out [checksumLen]byte
	for i := checksumLen - 1; i >= 0; i-- {
		out[i] = digits[n%62]
		n /= 62
	}
	return string(out[:])
}
