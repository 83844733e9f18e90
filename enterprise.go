package gatehouse

import (
	"net/netip"
	"regexp"
	"time"
)

// MaxOrganizationsPerEnterprise is how many organizations one enterprise may hold.
const MaxOrganizationsPerEnterprise = 200

// keyPattern is the form of enterprise and organization keys: a lowercase
// slug of 2 to 64 characters that starts with a letter or digit.
var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)

// ValidKey reports whether key is a valid enterprise or organization key.
func ValidKey(key string) bool { return keyPattern.MatchString(key) }

// An Enterprise groups organizations under one identity provider. Its key
// names it in URLs (the SSO login URL, the ACS) and never changes.
type Enterprise struct {
	ID   int64
	Key  string
	Name string
	// IPAllowList holds CIDR prefixes in canonical form; empty allows every
	// address. It applies to SSO logins, SSO users' personal tokens and
	// scoped organization tokens.
	IPAllowList []string
	CreatedAt   time.Time // UTC
}

// Validate reports the first field of e that breaks a rule, as an EINVALID
// *Error naming it. It canonicalises IPAllowList in place.
func (e *Enterprise) Validate() error {
	if !ValidKey(e.Key) {
		return Invalidf("key", "Key %q is not valid: use 2 to 64 lowercase letters, digits and dashes, starting with a letter or digit.", e.Key)
	}
	if err := validName("name", e.Name); err != nil {
		return err
	}
	list, err := CanonicalCIDRs("ip_allow_list", e.IPAllowList)
	if err != nil {
		return err
	}
	e.IPAllowList = list
	return nil
}

// CanonicalCIDRs parses each entry of cidrs as a CIDR prefix (a bare address
// counts as a single-address prefix) and returns them masked, in canonical
// form and without duplicates. field names the input in the error.
func CanonicalCIDRs(field string, cidrs []string) ([]string, error) {
	out := make([]string, 0, len(cidrs))
	seen := make(map[string]bool, len(cidrs))
	for i, s := range cidrs {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, Invalidf(field, "Entry %d of %s, %q, is not a CIDR range such as 203.0.113.0/24 or 2001:db8::/32.", i+1, field, s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c := p.Masked().String()
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// AllowsAddr reports whether addr is allowed by the enterprise's IP allow
// list. An empty list allows every address; an invalid address is refused
// unless the list is empty.
func (e *Enterprise) AllowsAddr(addr netip.Addr) bool {
	if len(e.IPAllowList) == 0 {
		return true
	}
	addr = addr.Unmap()
	for _, s := range e.IPAllowList {
		if p, err := netip.ParsePrefix(s); err == nil && p.Contains(addr) {
			return true
		}
	}
	return false
}

// validName checks a display name: 1 to 255 characters, no control characters.
func validName(field, name string) error {
	if name == "" {
		return Invalidf(field, "The %s is required.", field)
	}
	if len(name) > 255 {
		return Invalidf(field, "The %s is longer than 255 characters.", field)
	}
	if hasControl(name) {
		return Invalidf(field, "The %s contains a control character.", field)
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
