// Package password hashes and verifies local account passwords with
// argon2id, in the PHC string format.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/gatehouse-sso/gatehouse"
)

// Parameters of new hashes (RFC 9106, second recommended option, with
// 64 MiB of memory). Stored hashes carry their own parameters.
const (
	memoryKiB = 64 * 1024
	passes    = 3
	lanes     = 2
	keyLen    = 32
	saltLen   = 16
)

// MinLength and MaxLength bound a password, in characters (Unicode code
// points, as NIST SP 800-63B counts them).
const (
	MinLength = 12
	MaxLength = 256
)

// Validate reports whether pw is acceptable as a new password: if not, an
// EINVALID error on field "password" says why.
func Validate(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinLength {
		return gatehouse.Invalidf("password", "The password must be at least %d characters long.", MinLength)
	}
	if n > MaxLength {
		return gatehouse.Invalidf("password", "The password must be at most %d characters long.", MaxLength)
	}
	return nil
}

// Hash returns the argon2id PHC string of pw with a random salt.
func Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memoryKiB, lanes, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var b64 = base64.RawStdEncoding

// dummy is hashed when there is no user to check against, so that an
// unknown login costs as much time as a wrong password. It is a real hash,
// with the parameters of new ones, of a password no account has (see
// TestVerifyWithoutHashCostsAWholeCheck).
const dummy = "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$WwCIliEEmvMIlyjerrJp0pxjVmyMkZnOIlA6rIbQp8U"

// Verify reports whether pw matches the PHC string hash. An empty hash (no
// such user, or no password) is checked against a dummy hash first, so
// that the answer takes the same time, and then refused.
func Verify(hash, pw string) bool {
	h := hash
	if h == "" {
		h = dummy
	}
	ok := verify(h, pw)
	return ok && hash != ""
}

func verify(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<22 || t > 16 || p == 0 {
		return false
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
