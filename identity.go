package gatehouse

import "time"

// An Identity is what a verified SAML assertion says about a person. The
// saml package produces it; login and provision consume it. It holds plain
// values only.
type Identity struct {
	// Login is the first value of the login attribute, exactly as sent.
	Login string
	// Name is the first value of the name attribute.
	Name string
	// Email is the first value of the email attribute, or "".
	Email string
	// Groups are the values of the groups attribute, deduplicated, in the
	// order received. Nil when the attribute is absent or empty.
	Groups []string
	// GroupsOverage is set when the assertion carries Entra ID's groups
	// overage claim instead of the groups.
	GroupsOverage bool
	// NameID is the subject's NameID, trimmed.
	NameID string
	// AssertionID identifies the assertion, for the replay cache.
	AssertionID string
	// InResponseTo is the ID of the AuthnRequest the response answers.
	InResponseTo string
	// NotOnOrAfter is when the assertion stops being acceptable; the replay
	// record must outlive it.
	NotOnOrAfter time.Time // UTC
	// Attributes holds every attribute received, name to values.
	Attributes map[string][]string
}
