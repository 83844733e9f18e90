package e2e

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gatehouse-sso/gatehouse/internal/idptest"
)

// acmeGroups are the groups of acme's two organizations, besides Members
// and Owners: group sync matches the IdP's group names against them.
var acmeGroups = []struct {
	org, name   string
	permissions []string
}{
	{"acme-web", "Developers", []string{"scan"}},
	{"acme-web", "Admins", []string{"admin"}},
	{"acme-web", "QA", []string{"scan"}},
	{"acme-data", "Developers", []string{"scan", "provisioning"}},
	{"acme-data", "Analysts", []string{"scan"}},
}

// aliceOrgs is what alice (IdP groups Developers, Admins, Cloud Users) has in acme.
var aliceOrgs = map[string]string{
	"acme-web":  "groups Admins,Developers,Members; permissions admin,scan",
	"acme-data": "groups Developers,Members; permissions provisioning,scan",
}

// An acme is the enterprise of the SSO tests, running: a gatehouse server
// with enterprise acme and its organizations acme-web and acme-data, and a
// SimpleSAMLphp IdP that knows acme's SP and users, connected through the
// SSO connection set up from the IdP's metadata URL.
type acme struct {
	*Server
	IdP *idptest.IdP
}

// MustAcme starts an acme on database db, whose IdP has the sample users
// (alice, bob, carol, dave) and the users given.
func MustAcme(tb testing.TB, db string, users ...idptest.User) *acme {
	tb.Helper()
	a := &acme{Server: MustServe(tb, db)}
	a.MustAPI(tb, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme Corp"}, 201, nil)
	for _, o := range []struct{ key, name string }{{"acme-web", "Acme Web"}, {"acme-data", "Acme Data"}} {
		a.MustAPI(tb, "POST", "/api/v1/enterprises/acme/organizations", map[string]any{"key": o.key, "name": o.name}, 201, nil)
	}
	for _, g := range acmeGroups {
		a.MustAPI(tb, "POST", "/api/v1/organizations/"+g.org+"/groups", map[string]any{"name": g.name, "permissions": g.permissions}, 201, nil)
	}
	sp := idptest.SP{EntityID: a.URL + "/saml/acme", ACSURL: a.URL + "/saml/acme/acs"}
	a.IdP = idptest.StartSimpleSAMLphp(tb, []idptest.SP{sp}, append(idptest.SampleUsers(), users...))
	a.MustPutSSO(tb, "")
	return a
}

// MustPutSSO sets up acme's SSO connection from the IdP's metadata URL with
// the attribute preset given ("" for the default), and checks that the SP
// values Gatehouse shows are the ones the IdP was given.
func (a *acme) MustPutSSO(tb testing.TB, preset string) {
	tb.Helper()
	body := map[string]any{"metadata_url": a.IdP.MetadataURL}
	if preset != "" {
		body["attributes"] = map[string]any{"preset": preset}
	}
	var got struct {
		IdPEntityID string `json:"idp_entity_id"`
		SP          struct {
			EntityID string `json:"entity_id"`
			ACSURL   string `json:"acs_url"`
			LoginURL string `json:"login_url"`
		} `json:"sp"`
	}
	a.MustAPI(tb, "PUT", "/api/v1/enterprises/acme/sso", body, 200, &got)
	want := got
	want.IdPEntityID = a.IdP.EntityID
	want.SP.EntityID, want.SP.ACSURL, want.SP.LoginURL = a.URL+"/saml/acme", a.URL+"/saml/acme/acs", a.LoginURL()
	if got != want {
		tb.Fatalf("PUT /api/v1/enterprises/acme/sso = %+v; want %+v", got, want)
	}
}

// LoginURL is acme's SSO login URL, the one its users are sent.
func (a *acme) LoginURL() string { return a.URL + "/login/sso?enterprise_key=acme" }

// idpInitiatedURL is where SimpleSAMLphp starts an IdP-initiated login to the SP entityID.
func (a *acme) idpInitiatedURL(entityID string) string {
	return a.IdP.SSOURL + "?spentityid=" + url.QueryEscape(entityID)
}

// MustLogIn logs username in with the browser of ctx, from the SSO login
// URL through SimpleSAMLphp's login form (which the IdP skips when the
// browser holds an IdP session), and waits for the Gatehouse page the
// login ends on: the organizations, or a refusal.
func (a *acme) MustLogIn(tb testing.TB, ctx context.Context, username, password string) {
	tb.Helper()
	mustLogInFrom(tb, ctx, chromedp.Navigate(a.LoginURL()), username, password)
}

// An auditEvent is one event of GET /api/v1/audit-events or of the SSO attempts.
type auditEvent struct {
	Actor, Type, Target string
	Details             map[string]any
}

// MustAudit returns acme's audit events about target (all when ""), newest first.
func (a *acme) MustAudit(tb testing.TB, target string) []auditEvent {
	tb.Helper()
	var evs []auditEvent
	a.MustAPI(tb, "GET", "/api/v1/audit-events?enterprise=acme&limit=500", nil, 200, &evs)
	return slices.DeleteFunc(evs, func(e auditEvent) bool { return target != "" && e.Target != target })
}

// MustAttempts returns the reasons of acme's latest refused SSO attempts, newest first.
func (a *acme) MustAttempts(tb testing.TB) []string {
	tb.Helper()
	var evs []auditEvent
	a.MustAPI(tb, "GET", "/api/v1/enterprises/acme/sso/attempts", nil, 200, &evs)
	var reasons []string
	for _, e := range evs {
		if e.Type == "authentication.login_failed" {
			reasons = append(reasons, fmt.Sprint(e.Details["reason"]))
		}
	}
	return reasons
}

// MustWarning returns the message of acme's SSO setup warning with code, or "".
func (a *acme) MustWarning(tb testing.TB, code string) string {
	tb.Helper()
	var warnings []struct{ Code, Message string }
	a.MustAPI(tb, "GET", "/api/v1/enterprises/acme/sso/warnings", nil, 200, &warnings)
	for _, w := range warnings {
		if w.Code == code {
			return w.Message
		}
	}
	return ""
}
