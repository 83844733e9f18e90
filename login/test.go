package login

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/provision"
	"github.com/gatehouse-sso/gatehouse/saml"
	"github.com/gatehouse-sso/gatehouse/store"
)

// AuditSSOTest is the audit event type that records who started a Test SSO.
const AuditSSOTest = "sso.test"

// Test SSO (SPEC §4) is a real SP-initiated login whose Response is shown
// to the enterprise admin who started it instead of signing anyone in. It
// writes no user, membership, session or login event. It does write three
// things, on purpose:
//
//   - the pending request, at the start, as any login does: it binds the
//     Response to this browser and to this test;
//   - at the end, the request is consumed and the assertion ID recorded in
//     the replay cache, exactly as a real login does, so that a Response
//     captured during a test can never be posted again, to the test or to
//     a real login; both expire on their own;
//   - an sso.test audit event at the start, naming the admin: a test
//     round-trips a real user's attributes through the console, and who
//     looked at them is worth keeping. It is not a login attempt, so it
//     stays out of the SSO attempts list and the setup warnings.

// StartTestSSO starts a Test SSO of the enterprise with key for a, who
// must administer the enterprise. It works as StartSSO, except that the
// Response it leads to is reported by FinishSSO in Result.Test, and that
// the IP allow list is reported rather than enforced.
func (s *Service) StartTestSSO(ctx context.Context, a gatehouse.Actor, key, browserSecret string) (*SSOStart, error) {
	now := s.Now().UTC()
	var e *gatehouse.Enterprise
	var conn *gatehouse.SSOConnection
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if e, err = testEnterprise(tx, a, key); err != nil {
			return err
		}
		conn, err = tx.SSOConnection(e.ID)
		if errors.Is(err, store.ErrNotFound) {
			return gatehouse.Errorf(gatehouse.ECONFLICT, "Enterprise %q has no SSO connection yet: save one before testing it.", key)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	start, req, err := s.newRequest(e, conn, "/enterprises/"+e.Key+"/sso", browserSecret, now)
	if err != nil {
		return nil, err
	}
	req.Test = true
	err = s.Store.Tx(ctx, func(tx store.Tx) error {
		if err := addPending(tx, e, req); err != nil {
			return err
		}
		return audit.Record(tx, now, a, audit.Event{Type: AuditSSOTest, EnterpriseID: e.ID, Target: "enterprise:" + e.Key,
			Details: map[string]any{"request_id": req.ID}})
	})
	if err != nil {
		return nil, err
	}
	s.remember(req, now)
	return start, nil
}

// testEnterprise reads the enterprise with key and checks that a
// administers it.
func testEnterprise(tx store.Tx, a gatehouse.Actor, key string) (*gatehouse.Enterprise, error) {
	e, err := tx.Enterprise(key)
	if errors.Is(err, store.ErrNotFound) {
		return nil, gatehouse.Errorf(gatehouse.ENOTFOUND, "Enterprise %q does not exist.", key)
	}
	if err != nil {
		return nil, err
	}
	r, err := access.Of(tx, a)
	if err != nil {
		return nil, err
	}
	if !r.EnterpriseAdmin(e.ID) {
		return nil, access.Forbidden(fmt.Sprintf("test the SSO connection of enterprise %q", key))
	}
	return e, nil
}

// A TestReport is what a Test SSO found: the verdict on the Response, the
// attributes received, and what a real login would do with them.
type TestReport struct {
	Enterprise *gatehouse.Enterprise
	// Attributes are the connection's attribute names.
	Attributes gatehouse.AttributeNames
	// Client is the address the Response was posted from.
	Client netip.Addr
	// Refusal is why a real login would be refused, nil if it would pass.
	// When the Response itself was refused, Identity is nil.
	Refusal *gatehouse.Refusal
	// Identity is what the Response says, when it was accepted.
	Identity *gatehouse.Identity
	// User is the existing account of the identity; nil when a real login
	// would create one.
	User *gatehouse.User
	// Organizations are those where a real login would leave the user in a
	// group, or change a membership, by key.
	Organizations []*TestOrganization
	// Unmatched are the IdP groups that name no group of the enterprise.
	Unmatched []string
	// NearMisses are the groups whose name differs from an IdP group only
	// by case, which group sync does not match (SPEC §1: names are
	// case-sensitive).
	NearMisses []NearMiss
	// Warnings explain what else would go wrong or surprise, for people.
	Warnings []string
}

// A TestOrganization is what a real login would do in one organization.
type TestOrganization struct {
	Organization *gatehouse.Organization
	// Matched are the groups the user would be in after the login.
	Matched []*gatehouse.Group
	// Join are the groups the login would add the user to.
	Join []*gatehouse.Group
	// Leave are the memberships the login would end, added by hand or by
	// an earlier sync.
	Leave []provision.Current
}

// A NearMiss is a group whose name equals an IdP group but for case.
type NearMiss struct {
	// IdPGroup is the name as the IdP sent it.
	IdPGroup     string
	Organization *gatehouse.Organization
	Group        *gatehouse.Group
}

// finishTest verifies the Response to the Test SSO request req with st,
// read afresh, and reports on it. A refused Response is a report, not an
// error: showing why is the point of the test. Only failures are errors.
func (s *Service) finishTest(ctx context.Context, st *site, in ACS, req *gatehouse.AuthnRequest, now time.Time) (*Result, error) {
	e, conn := st.e, st.conn
	id, err := st.sp.ParseResponse(in.SAMLResponse, saml.Expect{RequestID: req.ID, Now: now})
	var refusal *gatehouse.Refusal
	if err != nil && !errors.As(err, &refusal) {
		return nil, err
	}
	var rep *TestReport
	err = s.Store.Tx(ctx, func(tx store.Tx) error {
		rep = &TestReport{Enterprise: e, Attributes: conn.Attributes, Client: in.Client, Refusal: refusal}
		return testTx(tx, e, conn, req, id, rep)
	})
	if err != nil {
		return nil, err
	}
	return &Result{Test: rep, ReturnTo: req.ReturnTo}, nil
}

// testTx consumes the request, records the assertion in the replay cache
// and, if the Response was accepted, fills rep with what a real login
// would do. It writes nothing else.
func testTx(tx store.Tx, e *gatehouse.Enterprise, conn *gatehouse.SSOConnection, req *gatehouse.AuthnRequest, id *gatehouse.Identity, rep *TestReport) error {
	if err := tx.ConsumeAuthnRequest(req.ID); errors.Is(err, store.ErrNotFound) {
		rep.Refusal = gatehouse.Refusef(gatehouse.RefusalUnknownRequest, "this test was completed already: the response was used before")
		return nil
	} else if err != nil {
		return err
	}
	if id == nil {
		return nil
	}
	// SPEC §3.3: the assertion ID is never accepted twice, tests included.
	if err := tx.RecordAssertion(e.ID, id.AssertionID, id.NotOnOrAfter.Add(conn.ClockSkew)); errors.Is(err, store.ErrConflict) {
		rep.Refusal = gatehouse.Refusef(gatehouse.RefusalReplayed, "assertion %q was used before", id.AssertionID)
		return nil
	} else if err != nil {
		return err
	}
	rep.Identity = id
	rep.Warnings = identityWarnings(conn.Attributes, id)
	if err := rep.plan(tx, e); err != nil {
		return err
	}
	rep.Refusal = loginRefusal(e, rep)
	return nil
}

// loginRefusal returns why a real login of rep's identity would be
// refused although its Response is valid, in the order FinishSSO checks.
func loginRefusal(e *gatehouse.Enterprise, rep *TestReport) *gatehouse.Refusal {
	switch {
	case !e.AllowsAddr(rep.Client):
		return gatehouse.Refusef(gatehouse.RefusalIPNotAllowed, "%s", rep.Client)
	case rep.Identity.GroupsOverage:
		return gatehouse.Refusef(gatehouse.RefusalGroupsOverage, "the response carries %s instead of the groups", gatehouse.GroupsOverageClaim)
	case rep.User != nil && !rep.User.Active:
		return gatehouse.Refusef(gatehouse.RefusalUserDeactivated, "%s", rep.User.Login)
	}
	return nil
}

// plan fills rep with group sync as a real login would compute it, with
// provision.Plan, and with the near misses.
func (rep *TestReport) plan(tx store.Tx, e *gatehouse.Enterprise) error {
	id := rep.Identity
	u, err := tx.SSOUser(e.ID, id.Login)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var current []provision.Current
	if u != nil {
		rep.User = u
		if current, err = provision.CurrentMemberships(tx, u, nil); err != nil {
			return err
		}
	}
	var named []*gatehouse.Group
	if len(id.Groups) > 0 {
		if named, err = tx.GroupsNamed(e.ID, id.Groups); err != nil {
			return err
		}
	}
	d := provision.Plan(id.Groups, named, current)
	rep.Unmatched = d.Unmatched
	orgs, err := tx.ListOrganizations(store.OrganizationFilter{EnterpriseID: e.ID})
	if err != nil {
		return err
	}
	rep.Organizations = byOrganization(orgs, d)
	rep.Warnings = append(rep.Warnings, unsyncedWarnings(orgs, named, d)...)
	rep.NearMisses, err = nearMisses(tx, orgs, id.Groups)
	return err
}

// byOrganization splits d by organization, in the order of orgs, leaving
// out organizations d does not concern.
func byOrganization(orgs []*gatehouse.Organization, d *provision.Diff) []*TestOrganization {
	var out []*TestOrganization
	for _, o := range orgs {
		to := &TestOrganization{Organization: o}
		for _, g := range d.Matched {
			if g.OrganizationID == o.ID {
				to.Matched = append(to.Matched, g)
			}
		}
		for _, g := range d.Add {
			if g.OrganizationID == o.ID {
				to.Join = append(to.Join, g)
			}
		}
		for _, c := range d.Remove {
			if c.Group.OrganizationID == o.ID {
				to.Leave = append(to.Leave, c)
			}
		}
		if len(to.Matched)+len(to.Join)+len(to.Leave) > 0 {
			out = append(out, to)
		}
	}
	return out
}

// unsyncedWarnings explains groups named exactly as an IdP group that
// group sync still leaves alone: Members, and IdP-managed (SCIM) groups.
func unsyncedWarnings(orgs []*gatehouse.Organization, named []*gatehouse.Group, d *provision.Diff) []string {
	keys := map[int64]string{}
	for _, o := range orgs {
		keys[o.ID] = o.Key
	}
	var out []string
	for _, g := range named {
		switch {
		case slices.Contains(d.Matched, g):
		case g.IsMembers():
			out = append(out, fmt.Sprintf("The IdP sent %q, but Members in %s is never synced: every member of the organization is in it.", g.Name, keys[g.OrganizationID]))
		case g.ManagedBy == gatehouse.ManagedSCIM:
			out = append(out, fmt.Sprintf("Group %q of %s is managed by SCIM provisioning, so SSO logins do not change its members.", g.Name, keys[g.OrganizationID]))
		}
	}
	return out
}

// nearMisses returns the groups of orgs whose name equals one of
// idpGroups but for case.
func nearMisses(tx store.Tx, orgs []*gatehouse.Organization, idpGroups []string) ([]NearMiss, error) {
	if len(idpGroups) == 0 {
		return nil, nil
	}
	var out []NearMiss
	for _, o := range orgs {
		groups, err := tx.ListGroups(o.ID)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			for _, name := range idpGroups {
				if name != g.Name && strings.EqualFold(name, g.Name) {
					out = append(out, NearMiss{IdPGroup: name, Organization: o, Group: g})
				}
			}
		}
	}
	return out, nil
}

var objectID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// identityWarnings explains what in id's attributes would surprise the
// admin: missing optional attributes, attribute names that differ from
// the configured ones only by case, and group object IDs.
func identityWarnings(names gatehouse.AttributeNames, id *gatehouse.Identity) []string {
	var out []string
	for _, n := range []struct{ what, name string }{{"email", names.Email}, {"groups", names.Groups}} {
		if n.name == "" {
			out = append(out, fmt.Sprintf("No %s attribute is configured, so Gatehouse ignores any %s the IdP sends.", n.what, n.what))
			continue
		}
		if _, ok := id.Attributes[n.name]; ok {
			continue
		}
		msg := fmt.Sprintf("The IdP sent no attribute named %q (the %s attribute).", n.name, n.what)
		if other := caseVariant(id.Attributes, n.name); other != "" {
			msg += fmt.Sprintf(" It sent %q: attribute names are case-sensitive.", other)
		}
		out = append(out, msg)
	}
	if names.Groups != "" && len(id.Groups) == 0 && !id.GroupsOverage {
		out = append(out, "The IdP sent no groups: a real login would leave this user in no synced group.")
	}
	var ids []string
	for _, g := range id.Groups {
		if objectID.MatchString(g) {
			ids = append(ids, g)
		}
	}
	if len(ids) > 0 {
		out = append(out, fmt.Sprintf("%d group values look like Entra ID object IDs (%s), which never match group names: emit cloud-only group display names instead.", len(ids), ids[0]))
	}
	return out
}

// caseVariant returns the name in attrs that equals name but for case, or "".
func caseVariant(attrs map[string][]string, name string) string {
	for n := range attrs {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}
