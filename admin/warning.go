package admin

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/saml"
	"github.com/gatehouse-sso/gatehouse/store"
)

// A Warning is a setup problem shown on the SSO & Provisioning page
// (SPEC §4). Code is stable; Message is for the admin.
type Warning struct {
	Code    string
	Message string
}

// Warning codes.
const (
	WarnCertificate     = "certificate"      // a signing certificate expired or expires within 30 days
	WarnGroupObjectIDs  = "group_object_ids" // the IdP sends Entra object IDs instead of group names
	WarnGroupsOverage   = "groups_overage"   // a login was refused for the Entra overage claim
	WarnNoEmail         = "no_email"         // no email attribute is configured
	WarnUnmatchedGroups = "unmatched_groups" // IdP groups matched no group in recent logins
	WarnNoLocalAdmin    = "no_local_admin"   // an organization has no admin who can log in without SSO
	WarnMetadataStale   = "metadata_stale"   // the metadata URL could not be fetched for two days
)

// recentLogins is how many recent SSO attempts the warnings look at.
const recentLogins = 100

var objectID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// warnings returns the setup warnings of enterprise e with connection conn.
func (s *Service) warnings(tx store.Tx, e *gatehouse.Enterprise, conn *gatehouse.SSOConnection) ([]Warning, error) {
	now := s.Now()
	var out []Warning
	for _, w := range saml.CertificateWarnings(conn.Certificates, now) {
		out = append(out, Warning{WarnCertificate, w})
	}
	if conn.Attributes.Email == "" {
		out = append(out, Warning{WarnNoEmail, "No email attribute is configured: users will have no email address in Gatehouse."})
	}
	if conn.MetadataURL != "" && now.Sub(conn.MetadataFetchedAt) > 2*MetadataRefreshInterval {
		out = append(out, Warning{WarnMetadataStale, fmt.Sprintf("The IdP metadata could not be fetched from %s since %s: certificate changes at the IdP are not picked up.",
			conn.MetadataURL, conn.MetadataFetchedAt.Format("2006-01-02 15:04 UTC"))})
	}
	recent, err := loginWarnings(tx, e)
	if err != nil {
		return nil, err
	}
	out = append(out, recent...)
	org, err := orgWithoutLocalAdmin(tx, e)
	if err != nil {
		return nil, err
	}
	if org != nil {
		out = append(out, Warning{WarnNoLocalAdmin, fmt.Sprintf("Organization %q has no administrator who can log in without SSO: if the IdP fails, nobody can administer it. Give a local account the Administer Organization permission.", org.Key)})
	}
	return out, nil
}

// loginWarnings looks at the enterprise's recent SSO attempts.
func loginWarnings(tx store.Tx, e *gatehouse.Enterprise) ([]Warning, error) {
	evs, err := tx.ListAuditEvents(store.AuditFilter{EnterpriseID: e.ID,
		Types: []string{gatehouse.AuditUserLogin, gatehouse.AuditLoginFailed}, Limit: recentLogins})
	if err != nil {
		return nil, err
	}
	var unmatched, ids []string
	overage := false
	for _, ev := range evs {
		if ev.Details["reason"] == string(gatehouse.RefusalGroupsOverage) {
			overage = true
		}
		for _, g := range stringsOf(ev.Details["unmatched_groups"]) {
			if !slices.Contains(unmatched, g) {
				unmatched = append(unmatched, g)
			}
			if objectID.MatchString(g) && !slices.Contains(ids, g) {
				ids = append(ids, g)
			}
		}
	}
	if unmatched, err = stillUnmatched(tx, e, unmatched); err != nil {
		return nil, err
	}
	var out []Warning
	if overage {
		out = append(out, Warning{WarnGroupsOverage, "Microsoft Entra ID sent the groups overage claim for a user in more than 150 groups, and the login was refused. Assign the relevant groups to the application in Entra ID so that only they are sent."})
	}
	if len(ids) > 0 {
		out = append(out, Warning{WarnGroupObjectIDs, fmt.Sprintf("The IdP sends group object IDs (%s), which never match group names. In Entra ID, emit cloud-only group display names (sAMAccountName) instead.", clipList(ids))})
	}
	if len(unmatched) > 0 {
		out = append(out, Warning{WarnUnmatchedGroups, fmt.Sprintf("In recent logins, these IdP groups matched no group of any organization (names are case-sensitive): %s.", clipList(unmatched))})
	}
	return out, nil
}

// stillUnmatched returns the names that group sync would still match to
// no group of e, so that the warning goes once the admin creates the
// missing group. Members and SCIM-managed groups never match (SPEC §3.7).
func stillUnmatched(tx store.Tx, e *gatehouse.Enterprise, names []string) ([]string, error) {
	if len(names) == 0 {
		return nil, nil
	}
	groups, err := tx.GroupsNamed(e.ID, names)
	if err != nil {
		return nil, fmt.Errorf("find groups named in recent logins: %w", err)
	}
	return slices.DeleteFunc(names, func(name string) bool {
		return slices.ContainsFunc(groups, func(g *gatehouse.Group) bool {
			return g.Name == name && !g.IsMembers() && g.ManagedBy != gatehouse.ManagedSCIM
		})
	}), nil
}

// stringsOf reads a list of strings from an audit detail, as recorded
// ([]string) or as read back from JSON ([]any).
func stringsOf(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// clipList joins at most ten quoted names.
func clipList(names []string) string {
	q := make([]string, 0, 10)
	for i, n := range names {
		if i == 10 {
			q = append(q, fmt.Sprintf("and %d more", len(names)-10))
			break
		}
		q = append(q, fmt.Sprintf("%q", n))
	}
	return strings.Join(q, ", ")
}
