package login_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

// MustStartTest starts a Test SSO of the enterprise with key as the
// operator, from a new browser.
func (e *env) MustStartTest(tb testing.TB, key string) started {
	tb.Helper()
	s, err := e.Login.StartTestSSO(context.Background(), gatehouse.Operator, key, "")
	if err != nil {
		tb.Fatalf("StartTestSSO(%q) = %v", key, err)
	}
	u, err := url.Parse(s.RedirectURL)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	return started{Key: key, RequestID: MustRequestID(tb, q.Get("SAMLRequest")), RelayState: q.Get("RelayState"), BrowserSecret: s.BrowserSecret}
}

// MustTest runs a whole Test SSO of acme for u and returns its report.
func (e *env) MustTest(tb testing.TB, u idpUser) *login.TestReport {
	tb.Helper()
	s := e.MustStartTest(tb, "acme")
	return e.mustFinishTest(tb, s, e.MustResponse(tb, s, u))
}

// mustFinishTest posts samlResponse in answer to the test s, and fails
// unless FinishSSO answers with a report and no session.
func (e *env) mustFinishTest(tb testing.TB, s started, samlResponse string) *login.TestReport {
	tb.Helper()
	res, err := e.Login.FinishSSO(context.Background(), s.acs(samlResponse))
	if err != nil {
		tb.Fatalf("FinishSSO of a test = %v; want a report", err)
	}
	if res.Test == nil || res.User != nil || res.SessionSecret != "" {
		tb.Fatalf("FinishSSO of a test = %+v; want a report, no user and no session", res)
	}
	return res.Test
}

// reportSummary is what the tests compare of a TestReport.
type reportSummary struct {
	Refusal string
	// Orgs are "matched | join | leave" group names by organization key.
	Orgs       map[string]string
	Unmatched  []string
	NearMisses []string // "org/group ~ idp group"
	Warnings   []string // the first words of each
}

func summarize(rep *login.TestReport) reportSummary {
	var s reportSummary
	if rep.Refusal != nil {
		s.Refusal = string(rep.Refusal.Reason)
	}
	for _, o := range rep.Organizations {
		if s.Orgs == nil {
			s.Orgs = map[string]string{}
		}
		var m, j, l []string
		for _, g := range o.Matched {
			m = append(m, g.Name)
		}
		for _, g := range o.Join {
			j = append(j, g.Name)
		}
		for _, c := range o.Leave {
			l = append(l, c.Group.Name+"("+c.Membership.Source+")")
		}
		s.Orgs[o.Organization.Key] = strings.Join(m, ",") + " | " + strings.Join(j, ",") + " | " + strings.Join(l, ",")
	}
	s.Unmatched = rep.Unmatched
	for _, n := range rep.NearMisses {
		s.NearMisses = append(s.NearMisses, n.Organization.Key+"/"+n.Group.Name+" ~ "+n.IdPGroup)
	}
	for _, w := range rep.Warnings {
		words := strings.Fields(w)
		s.Warnings = append(s.Warnings, strings.Join(words[:min(len(words), 4)], " "))
	}
	return s
}

func TestTestSSOReportsWhatALoginWouldDo(t *testing.T) {
	tests := []struct {
		name string
		user idpUser
		want reportSummary
	}{
		{"matches groups by exact name in every organization", alice, reportSummary{
			Orgs:       map[string]string{"acme-data": "Devs | Devs | ", "acme-web": "Devs | Devs | "},
			NearMisses: []string{"acme-data/devs ~ Devs"},
		}},
		{"reports names that differ only by case as near misses", alice.withGroups("DEVS", "ops"), reportSummary{
			Unmatched:  []string{"DEVS", "ops"},
			NearMisses: []string{"acme-data/Devs ~ DEVS", "acme-data/devs ~ DEVS", "acme-web/Devs ~ DEVS", "acme-web/Ops ~ ops"},
		}},
		{"explains that Members is never synced", alice.withGroups("Members"), reportSummary{
			Unmatched: []string{"Members"},
			Warnings:  []string{"The IdP sent \"Members\",", "The IdP sent \"Members\","},
		}},
		{"warns when no groups and no email come", idpUser{Login: "carol", Name: "Carol"}, reportSummary{
			Warnings: []string{"The IdP sent no", "The IdP sent no", "The IdP sent no"},
		}},
		{"warns of group object IDs", alice.withGroups("6f0b2c1a-4d5e-4f60-8a9b-0c1d2e3f4a5b"), reportSummary{
			Unmatched: []string{"6f0b2c1a-4d5e-4f60-8a9b-0c1d2e3f4a5b"},
			Warnings:  []string{"1 group values look"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			rep := e.MustTest(t, tt.user)
			if diff := cmp.Diff(tt.want, summarize(rep)); diff != "" {
				t.Errorf("report of %+v (-want +got):\n%s", tt.user, diff)
			}
			if rep.Identity == nil || rep.Identity.Login != tt.user.Login || rep.User != nil {
				t.Errorf("report identity = %+v, user %+v; want %q and no account", rep.Identity, rep.User, tt.user.Login)
			}
		})
	}
}

func TestTestSSONamesTheAttributeSentWithAnotherCase(t *testing.T) {
	e := MustEnv(t)
	rep := e.MustTest(t, idpUser{Login: "dan", Name: "Dan", Email: "dan@acme.example", Extra: []samltest.Attribute{{Name: "Groups", Values: []string{"Devs"}}}})
	want := `The IdP sent no attribute named "groups" (the groups attribute). It sent "Groups": attribute names are case-sensitive.`
	if len(rep.Warnings) == 0 || rep.Warnings[0] != want {
		t.Errorf("warnings = %q; want first %q", rep.Warnings, want)
	}
}

func TestTestSSOReportsWhatAnExistingUserWouldJoinAndLeave(t *testing.T) {
	e := MustEnv(t)
	e.MustLogin(t, alice)
	e.MustAddGroupMember(t, "acme-web/Ops", alice)

	rep := e.MustTest(t, alice.withGroups("Admins"))

	want := reportSummary{Orgs: map[string]string{
		"acme-data": " |  | Devs(sync)",
		"acme-web":  "Admins | Admins | Devs(sync),Ops(manual)",
	}, Unmatched: nil}
	if diff := cmp.Diff(want, summarize(rep)); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if u := e.MustUser(t, "acme", alice.Login); rep.User == nil || rep.User.ID != u.ID {
		t.Errorf("report user = %+v; want alice's account %d", rep.User, u.ID)
	}
	if got, want := e.groupsOf(t, e.MustUser(t, "acme", alice.Login)), []string{"acme-data/Devs", "acme-web/Devs", "acme-web/Ops"}; !cmp.Equal(got, want) {
		t.Errorf("alice's groups after the test = %v; want them unchanged, %v", got, want)
	}
}

func TestTestSSOWritesOnlyTheRequestAndTheReplayRecord(t *testing.T) {
	e := MustEnv(t)
	before := e.MustDump(t)
	s := e.MustStartTest(t, "acme")
	started := e.MustDump(t)
	e.mustFinishTest(t, s, e.MustResponse(t, s, alice))
	after := e.MustDump(t)

	if diff := cmp.Diff(before, started, ignoreTables("authn_requests", "audit_events")); diff != "" {
		t.Errorf("StartTestSSO wrote more than its request and audit event (-before +after):\n%s", diff)
	}
	evs, _ := e.events(t, 0, login.AuditSSOTest)
	if want := []event{{Type: login.AuditSSOTest, Actor: "operator", Target: "enterprise:acme"}}; !cmp.Equal(evs, want) {
		t.Errorf("audit events of the test = %+v; want %+v", evs, want)
	}
	if diff := cmp.Diff(started, after, ignoreTables("authn_requests", "saml_assertions")); diff != "" {
		t.Errorf("finishing the test wrote more than the request and replay record (-before +after):\n%s", diff)
	}
	if len(after["authn_requests"]) != 0 || len(after["saml_assertions"]) != 1 {
		t.Errorf("after the test: %d pending requests, %d replay records; want 0 and 1", len(after["authn_requests"]), len(after["saml_assertions"]))
	}
}

// ignoreTables leaves the named tables out of a dump comparison.
func ignoreTables(names ...string) cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		if mi, ok := p.Last().(cmp.MapIndex); ok {
			for _, n := range names {
				if mi.Key().String() == n {
					return true
				}
			}
		}
		return false
	}, cmp.Ignore())
}

func TestTestSSORefusals(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(tb testing.TB, e *env)
		user    idpUser
		// otherIdP signs with a key acme does not trust.
		otherIdP     bool
		want         gatehouse.RefusalReason
		wantIdentity bool
	}{
		{"reports a response signed by an untrusted key", nil, alice, true, gatehouse.RefusalUntrustedCert, false},
		{"reports the IP allow list without enforcing it", func(tb testing.TB, e *env) { e.MustAllow(tb, "203.0.113.0/24") }, alice, false, gatehouse.RefusalIPNotAllowed, true},
		{"reports a deactivated user", func(tb testing.TB, e *env) {
			e.MustLogin(tb, alice)
			off := false
			if _, err := e.Admin.UpdateUser(context.Background(), gatehouse.Operator, e.MustUser(tb, "acme", alice.Login).Login, admin.UserUpdate{Active: &off}); err != nil {
				tb.Fatal(err)
			}
		}, alice, false, gatehouse.RefusalUserDeactivated, true},
		{"reports the groups overage claim", nil, idpUser{Login: "dave", Name: "Dave", Extra: []samltest.Attribute{{Name: gatehouse.GroupsOverageClaim, Values: []string{"https://graph.example/x"}}}},
			false, gatehouse.RefusalGroupsOverage, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			if tt.prepare != nil {
				tt.prepare(t, e)
			}
			s := e.MustStartTest(t, "acme")
			idp := e.IdP
			if tt.otherIdP {
				idp = MustOtherIdP(t)
			}
			doc, err := idp.Response(e.samlLogin(s, tt.user))
			if err != nil {
				t.Fatal(err)
			}
			rep := e.mustFinishTest(t, s, samltest.Encode(doc))
			if rep.Refusal == nil || rep.Refusal.Reason != tt.want {
				t.Errorf("refusal = %v; want %s", rep.Refusal, tt.want)
			}
			if (rep.Identity != nil) != tt.wantIdentity {
				t.Errorf("identity = %+v; want one: %v", rep.Identity, tt.wantIdentity)
			}
		})
	}
}

func TestTestSSOResponseCannotBeUsedTwice(t *testing.T) {
	e := MustEnv(t)
	s := e.MustStartTest(t, "acme")
	resp := e.MustResponse(t, s, alice)
	e.mustFinishTest(t, s, resp)

	_, err := e.Login.FinishSSO(context.Background(), s.acs(resp))
	var r *gatehouse.Refusal
	if !errors.As(err, &r) || r.Reason != gatehouse.RefusalUnknownRequest {
		t.Errorf("posting the test's response again = %v; want an unknown_request refusal", err)
	}
}

func TestStartTestSSORefuses(t *testing.T) {
	e := MustEnv(t)
	local := &gatehouse.User{Login: "bob", Name: "Bob"}
	if err := e.Admin.CreateLocalUser(context.Background(), gatehouse.Operator, local, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		actor gatehouse.Actor
		key   string
		want  string
	}{
		{"refuses a user who does not administer the enterprise", gatehouse.UserActor(local), "acme", gatehouse.EFORBIDDEN},
		{"refuses an enterprise without SSO connection", gatehouse.Operator, "globex", gatehouse.ECONFLICT},
		{"refuses an unknown enterprise", gatehouse.Operator, "initech", gatehouse.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Login.StartTestSSO(context.Background(), tt.actor, tt.key, "")
			if got := gatehouse.ErrorCode(err); got != tt.want {
				t.Errorf("StartTestSSO(%s, %q) = %v; want code %q", tt.actor, tt.key, err, tt.want)
			}
		})
	}
	if evs, _ := e.events(t, 0, login.AuditSSOTest); len(evs) != 0 {
		t.Errorf("refused tests recorded %v; want nothing", evs)
	}
}
