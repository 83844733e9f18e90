package login_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/saml/samltest"
)

// TestFinishSSORefusals checks every refusal of the login itself: each
// one writes exactly one authentication.login_failed event, with the
// reason, and changes nothing else in the database.
func TestFinishSSORefusals(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares the env and returns what the browser posts.
		setup      func(t *testing.T, e *env) login.ACS
		wantReason gatehouse.RefusalReason
		wantDetail string
		// verified is set when the refusal comes after the Response was
		// verified: the event then names the login attribute.
		verified bool
	}{
		{
			name: "refuses an enterprise without SSO connection",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				in := s.acs(e.MustResponse(t, s, alice))
				in.EnterpriseKey = "globex"
				return in
			},
			wantReason: gatehouse.RefusalNoConnection, wantDetail: `"globex"`,
		},
		{
			name: "refuses an address outside the IP allow list naming it",
			setup: func(t *testing.T, e *env) login.ACS {
				e.MustAllow(t, "192.0.2.0/24")
				s := e.MustStart(t, "acme", "")
				in := s.acs(e.MustResponse(t, s, alice))
				in.Client = netip.MustParseAddr("203.0.113.5")
				return in
			},
			wantReason: gatehouse.RefusalIPNotAllowed, wantDetail: "203.0.113.5",
		},
		{
			name: "refuses an address the allow list dropped after the login started",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				in := s.acs(e.MustResponse(t, s, alice))
				e.MustAllow(t, "198.51.100.0/24")
				return in
			},
			wantReason: gatehouse.RefusalIPNotAllowed, wantDetail: testClient.String(), verified: true,
		},
		{
			name: "refuses a response posted by another browser",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				in := s.acs(e.MustResponse(t, s, alice))
				in.BrowserSecret = e.MustStart(t, "acme", "").BrowserSecret
				return in
			},
			wantReason: gatehouse.RefusalUnknownRequest, wantDetail: "another browser",
		},
		{
			name: "refuses a response posted without the binding cookie",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				in := s.acs(e.MustResponse(t, s, alice))
				in.BrowserSecret = ""
				return in
			},
			wantReason: gatehouse.RefusalUnknownRequest, wantDetail: "another browser",
		},
		{
			name: "refuses a login started more than 10 minutes ago",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				e.Now = e.Now.Add(11 * time.Minute)
				return s.acs(e.MustResponse(t, s, alice))
			},
			wantReason: gatehouse.RefusalUnknownRequest, wantDetail: "more than 10 minutes ago",
		},
		{
			name: "refuses a pending request of another enterprise",
			setup: func(t *testing.T, e *env) login.ACS {
				MustPutSSO(t, e, "globex")
				s := e.MustStart(t, "globex", "")
				s.Key = "acme"
				return s.acs(e.MustResponse(t, s, alice))
			},
			wantReason: gatehouse.RefusalUnknownRequest, wantDetail: "another enterprise",
		},
		{
			name: "refuses a response without RelayState",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				in := s.acs(e.MustResponse(t, s, alice))
				in.RelayState = ""
				return in
			},
			wantReason: gatehouse.RefusalUnknownRequest, wantDetail: "without the RelayState",
		},
		{
			name: "refuses a RelayState that names no pending login",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				in := s.acs(e.MustResponse(t, s, alice))
				in.RelayState = "no-such-relay-state"
				return in
			},
			wantReason: gatehouse.RefusalUnknownRequest, wantDetail: "completed already, or never started here",
		},
		{
			name: "refuses a response to another login of the same browser",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				other := e.MustStartIn(t, "acme", "", s.BrowserSecret)
				return other.acs(e.MustResponse(t, s, alice))
			},
			wantReason: gatehouse.RefusalUnknownRequest, wantDetail: "not the pending request",
		},
		{
			name: "refuses an IdP-initiated response",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				unsolicited := s
				unsolicited.RequestID = ""
				return s.acs(e.MustResponse(t, unsolicited, alice))
			},
			wantReason: gatehouse.RefusalUnsolicited,
		},
		{
			name: "refuses a response posted twice",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				in := s.acs(e.MustResponse(t, s, alice))
				e.mustFinish(t, in)
				return in
			},
			wantReason: gatehouse.RefusalUnknownRequest, wantDetail: "completed already, or never started here",
		},
		{
			name: "refuses an assertion replayed into a new login",
			setup: func(t *testing.T, e *env) login.ACS {
				used := alice
				used.AssertionID = "id-assertion-used-once"
				s := e.MustStart(t, "acme", "")
				e.mustFinish(t, s.acs(e.MustResponse(t, s, used)))
				again := e.MustStart(t, "acme", "")
				return again.acs(e.MustResponse(t, again, used))
			},
			wantReason: gatehouse.RefusalReplayed, wantDetail: "id-assertion-used-once", verified: true,
		},
		{
			name: "refuses a deactivated user",
			setup: func(t *testing.T, e *env) login.ACS {
				u := e.MustLogin(t, alice).User
				inactive := false
				if _, err := e.Admin.UpdateUser(context.Background(), gatehouse.Operator, u.Login, admin.UserUpdate{Active: &inactive}); err != nil {
					t.Fatal(err)
				}
				s := e.MustStart(t, "acme", "")
				return s.acs(e.MustResponse(t, s, alice.withGroups("Ops")))
			},
			wantReason: gatehouse.RefusalUserDeactivated, verified: true,
		},
		{
			name: "refuses the groups overage claim leaving memberships untouched",
			setup: func(t *testing.T, e *env) login.ACS {
				e.MustLogin(t, alice.withGroups("Devs", "Analysts"))
				s := e.MustStart(t, "acme", "")
				overage := alice.withGroups()
				overage.Extra = []samltest.Attribute{{Name: gatehouse.GroupsOverageClaim, Values: []string{"https://graph.microsoft.com/v1.0/users/1/getMemberObjects"}}}
				return s.acs(e.MustResponse(t, s, overage))
			},
			wantReason: gatehouse.RefusalGroupsOverage, wantDetail: gatehouse.GroupsOverageClaim, verified: true,
		},
		{
			name: "refuses a response signed by an untrusted key",
			setup: func(t *testing.T, e *env) login.ACS {
				s := e.MustStart(t, "acme", "")
				trusted := e.IdP
				e.IdP = MustOtherIdP(t)
				defer func() { e.IdP = trusted }()
				return s.acs(e.MustResponse(t, s, alice))
			},
			wantReason: gatehouse.RefusalUntrustedCert,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := MustEnv(t)
			in := tt.setup(t, e)
			before := e.MustDump(t)
			after := e.lastEventID(t)
			res, err := e.Login.FinishSSO(context.Background(), in)
			r := refusal(err)
			if r == nil || r.Reason != tt.wantReason || !strings.Contains(r.Detail, tt.wantDetail) {
				t.Fatalf("FinishSSO() = %v, %v; want refusal %s with detail containing %q", res, err, tt.wantReason, tt.wantDetail)
			}
			c := changes(before, e.MustDump(t))
			if diff := cmp.Diff([]string{"audit_events +1 -0"}, changedTables(c)); diff != "" {
				t.Errorf("rows changed by a refused login (-want +got):\n%s\n%s", diff, c)
			}
			evs, raw := e.events(t, after)
			target := ""
			if tt.verified {
				target = "login:" + alice.Login
			}
			want := []event{{Type: gatehouse.AuditLoginFailed, Actor: gatehouse.ActorSAMLSync, Target: target}}
			if diff := cmp.Diff(want, evs); diff != "" {
				t.Fatalf("audit events of a refused login (-want +got):\n%s", diff)
			}
			if _, ok := raw[0].Details["groups_received"]; ok != tt.verified {
				t.Errorf("login_failed details = %v; want groups_received only once the response was verified (%v)", raw[0].Details, tt.verified)
			}
			if got := raw[0].Details["reason"]; got != string(tt.wantReason) {
				t.Errorf("login_failed reason = %v; want %q", got, tt.wantReason)
			}
			if got := raw[0].Details["detail"]; got != r.Detail {
				t.Errorf("login_failed detail = %v; want the refusal's %q", got, r.Detail)
			}
		})
	}
}

// mustFinish finishes a login that must succeed.
func (e *env) mustFinish(tb testing.TB, in login.ACS) {
	tb.Helper()
	if _, err := e.Login.FinishSSO(context.Background(), in); err != nil {
		tb.Fatalf("FinishSSO() = %v", err)
	}
}

func TestFinishSSORefusesAnUnknownEnterpriseWritingNothing(t *testing.T) {
	e := MustEnv(t)
	s := e.MustStart(t, "acme", "")
	in := s.acs(e.MustResponse(t, s, alice))
	in.EnterpriseKey = "initech"
	before := e.MustDump(t)
	_, err := e.Login.FinishSSO(context.Background(), in)
	if gatehouse.ErrorCode(err) != gatehouse.ENOTFOUND || !strings.Contains(gatehouse.ErrorMessage(err), `"initech"`) {
		t.Errorf("FinishSSO(initech) = %v; want ENOTFOUND naming the key", err)
	}
	if c := changes(before, e.MustDump(t)); len(c) != 0 {
		t.Errorf("a login to an unknown enterprise changed %v; want nothing", c)
	}
}

// TestRefuseSSO checks the refusals of a body the ACS could not read: the
// body is checked before the connection, so an enterprise without one
// records the body's refusal too, as exactly one login_failed event.
func TestRefuseSSO(t *testing.T) {
	for _, key := range []string{"acme", "globex"} {
		t.Run("records a body too large posted to "+key, func(t *testing.T) {
			e := MustEnv(t)
			before := e.MustDump(t)
			after := e.lastEventID(t)
			tooLarge := gatehouse.Refusef(gatehouse.RefusalTooLarge, "the body is larger than 262144 bytes")
			if err := e.Login.RefuseSSO(context.Background(), key, testClient, tooLarge); refusal(err) != tooLarge {
				t.Fatalf("RefuseSSO(%s) = %v; want the refusal it was given", key, err)
			}
			if diff := cmp.Diff([]string{"audit_events +1 -0"}, changedTables(changes(before, e.MustDump(t)))); diff != "" {
				t.Errorf("rows changed by a refused body (-want +got):\n%s", diff)
			}
			evs, raw := e.events(t, after)
			if len(evs) != 1 || evs[0].Type != gatehouse.AuditLoginFailed || raw[0].Details["reason"] != string(gatehouse.RefusalTooLarge) {
				t.Errorf("audit events of the refused body = %+v; want one %s with reason %s", evs, gatehouse.AuditLoginFailed, gatehouse.RefusalTooLarge)
			}
		})
	}
	t.Run("refuses an unknown enterprise writing nothing", func(t *testing.T) {
		e := MustEnv(t)
		before := e.MustDump(t)
		err := e.Login.RefuseSSO(context.Background(), "initech", testClient, gatehouse.Refusef(gatehouse.RefusalMalformed, "x"))
		if gatehouse.ErrorCode(err) != gatehouse.ENOTFOUND {
			t.Errorf("RefuseSSO(initech) = %v; want ENOTFOUND", err)
		}
		if c := changes(before, e.MustDump(t)); len(c) != 0 {
			t.Errorf("a refused body to an unknown enterprise changed %v; want nothing", c)
		}
	})
}
