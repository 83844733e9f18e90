package gatehouse

import (
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Kinds of user.
const (
	// UserSSO is an account bound to one enterprise and created by its
	// identity provider (JIT provisioning).
	UserSSO = "sso"
	// UserLocal is an account with a password, kept by the operator for
	// administration and recovery.
	UserLocal = "local"
)

var localLoginPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// A User is a person who signs in, with a password (local) or through their
// enterprise's identity provider (SSO).
type User struct {
	ID    int64
	Login string // globally unique; public
	Name  string
	Email string // may be empty
	Kind  string // UserSSO or UserLocal
	// EnterpriseID is the enterprise of an SSO user; 0 for a local user.
	EnterpriseID int64
	// ExternalID is an SSO user's identity key: the value of the login
	// attribute, exactly as the identity provider sends it. Empty for local users.
	ExternalID string
	// PasswordHash is the PHC string of a local user's argon2id hash. It never
	// leaves the service layer.
	PasswordHash string
	Active       bool
	CreatedAt    time.Time // UTC
	LastLoginAt  time.Time // UTC; zero if the user never logged in
}

// Validate reports the first field of u that breaks a rule.
func (u *User) Validate() error {
	switch u.Kind {
	case UserLocal:
		if !localLoginPattern.MatchString(u.Login) {
			return Invalidf("login", "Login %q is not valid: use 2 to 64 lowercase letters, digits, '.', '_' and '-', starting with a letter or digit.", u.Login)
		}
		if u.EnterpriseID != 0 || u.ExternalID != "" {
			return Invalidf("kind", "A local user belongs to no enterprise.")
		}
	case UserSSO:
		if u.Login == "" || len(u.Login) > 100 {
			return Invalidf("login", "An SSO user's login must be 1 to 100 characters.")
		}
		if u.EnterpriseID == 0 || u.ExternalID == "" {
			return Invalidf("kind", "An SSO user needs an enterprise and an identity.")
		}
	default:
		return Invalidf("kind", "kind must be %q or %q.", UserLocal, UserSSO)
	}
	if err := validName("name", u.Name); err != nil {
		return err
	}
	return ValidateEmail("email", u.Email)
}

// ValidateEmail accepts "" or a bare address such as a@example.com.
func ValidateEmail(field, email string) error {
	if email == "" {
		return nil
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		return Invalidf(field, "%q is not an email address.", email)
	}
	return nil
}

// LoginSlug turns an identity provider's login attribute value into the
// base of a public login: lowercase letters, digits and single dashes, at
// most 40 characters, "user" if nothing is left. The caller appends a
// random suffix so that two enterprises never collide.
func LoginSlug(s string) string {
	if i := strings.IndexByte(s, '@'); i > 0 {
		s = s[:i]
	}
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "user"
	}
	return out
}
