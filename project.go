package gatehouse

import (
	"regexp"
	"time"
)

var projectKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,255}$`)

// A Project belongs to one organization. It is the target of token scopes
// and of access checks.
type Project struct {
	ID             int64
	OrganizationID int64
	Key            string // unique in the organization
	Name           string
	CreatedAt      time.Time // UTC
}

// Validate reports the first field of p that breaks a rule.
func (p *Project) Validate() error {
	if !projectKeyPattern.MatchString(p.Key) {
		return Invalidf("key", "Project key %q is not valid: use 1 to 255 letters, digits, '_', '.', ':' and '-'.", p.Key)
	}
	return validName("name", p.Name)
}
