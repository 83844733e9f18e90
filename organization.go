package gatehouse

import "time"

// An Organization holds groups, projects and members. It may belong to an
// enterprise, whose SSO connection then signs its members in.
type Organization struct {
	ID   int64
	Key  string
	Name string
	// EnterpriseID is 0 for an organization outside any enterprise.
	EnterpriseID int64
	CreatedAt    time.Time // UTC
}

// Validate reports the first field of o that breaks a rule.
func (o *Organization) Validate() error {
	if !ValidKey(o.Key) {
		return Invalidf("key", "Key %q is not valid: use 2 to 64 lowercase letters, digits and dashes, starting with a letter or digit.", o.Key)
	}
	return validName("name", o.Name)
}
