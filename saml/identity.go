package saml

import (
	"strings"
	"time"

	"github.com/crewjam/saml"

	"github.com/gatehouse-sso/gatehouse"
)

// identity reads the Identity of a verified response with the connection's
// attribute names (SPEC §3.4).
//
// Attributes are matched by Name. When no attribute has the configured
// Name, one whose FriendlyName equals it is used instead, so that an admin
// may type "eduPersonAffiliation" for an IdP that names it
// "urn:oid:1.3.6.1.4.1.5923.1.1.1.1". A Name always wins over a
// FriendlyName (SAML core 2.7.3.1: FriendlyName is not a basis for
// identifying attributes).
func (s *ServiceProvider) identity(v *verified, notOnOrAfter time.Time) (*gatehouse.Identity, error) {
	attrs := collect(v.assertion)
	login := attrs.first(s.attributes.Login)
	if login == "" {
		// SPEC §3.4: login and name are required.
		return nil, &gatehouse.Refusal{Reason: gatehouse.RefusalMissingAttribute, Detail: s.attributes.Login}
	}
	name := attrs.first(s.attributes.Name)
	if name == "" {
		return nil, &gatehouse.Refusal{Reason: gatehouse.RefusalMissingAttribute, Detail: s.attributes.Name}
	}
	id := &gatehouse.Identity{
		Login:         login,
		Name:          name,
		GroupsOverage: attrs.has(gatehouse.GroupsOverageClaim),
		AssertionID:   v.assertion.ID,
		InResponseTo:  v.response.InResponseTo,
		NotOnOrAfter:  notOnOrAfter,
		Attributes:    attrs.values,
	}
	if s.attributes.Email != "" {
		id.Email = attrs.first(s.attributes.Email)
	}
	if s.attributes.Groups != "" {
		id.Groups = groups(attrs.all(s.attributes.Groups))
	}
	if n := v.assertion.Subject.NameID; n != nil {
		id.NameID = strings.TrimSpace(n.Value)
	}
	return id, nil
}

// attributes are the attributes of an assertion: values by Name, in the
// order received, and the Name of each FriendlyName.
type attributes struct {
	values       map[string][]string
	friendlyName map[string]string
}

// collect gathers the attributes of every AttributeStatement of a. An
// attribute sent twice has the values of both, in order.
func collect(a *saml.Assertion) attributes {
	attrs := attributes{values: map[string][]string{}}
	for _, statement := range a.AttributeStatements {
		for _, attr := range statement.Attributes {
			values := attrs.values[attr.Name]
			if values == nil {
				values = make([]string, 0, len(attr.Values))
			}
			for _, v := range attr.Values {
				values = append(values, value(v))
			}
			attrs.values[attr.Name] = values
			if attr.FriendlyName != "" {
				if attrs.friendlyName == nil {
					attrs.friendlyName = map[string]string{}
				}
				if _, ok := attrs.friendlyName[attr.FriendlyName]; !ok {
					attrs.friendlyName[attr.FriendlyName] = attr.Name
				}
			}
		}
	}
	return attrs
}

// value is the text of an AttributeValue, or of the NameID it holds.
func value(v saml.AttributeValue) string {
	if v.NameID != nil {
		return strings.TrimSpace(v.NameID.Value)
	}
	return v.Value
}

// all returns the values of the attribute name, matched by Name, else by
// FriendlyName.
func (a attributes) all(name string) []string {
	if values, ok := a.values[name]; ok {
		return values
	}
	if n, ok := a.friendlyName[name]; ok {
		return a.values[n]
	}
	return nil
}

// first returns the first value of the attribute name, or "".
func (a attributes) first(name string) string {
	if values := a.all(name); len(values) > 0 {
		return values[0]
	}
	return ""
}

// has reports whether the attribute name was sent.
func (a attributes) has(name string) bool {
	_, ok := a.values[name]
	return ok
}

// groups returns values without duplicates or empty values, in order; nil
// when none is left (SPEC §3.4: absent or empty means no IdP groups).
func groups(values []string) []string {
	var out []string
	seen := make(map[string]struct{}, len(values))
	for _, v := range values {
		if _, dup := seen[v]; v == "" || dup {
			continue
		}
		seen[v] = struct{}{}
		out = append(out, v)
	}
	return out
}
