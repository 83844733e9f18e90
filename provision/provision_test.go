package provision

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gatehouse-sso/gatehouse"
)

// Two organizations of one enterprise: 1 (web) and 2 (data).
var (
	members1  = &gatehouse.Group{ID: 10, OrganizationID: 1, Name: "Members", Builtin: gatehouse.BuiltinMembers, ManagedBy: gatehouse.ManagedLocal}
	owners1   = &gatehouse.Group{ID: 11, OrganizationID: 1, Name: "Owners", Builtin: gatehouse.BuiltinOwners, ManagedBy: gatehouse.ManagedLocal}
	devs1     = &gatehouse.Group{ID: 12, OrganizationID: 1, Name: "Developers", ManagedBy: gatehouse.ManagedLocal}
	devsLow1  = &gatehouse.Group{ID: 13, OrganizationID: 1, Name: "developers", ManagedBy: gatehouse.ManagedLocal}
	admins1   = &gatehouse.Group{ID: 14, OrganizationID: 1, Name: "Admins", ManagedBy: gatehouse.ManagedLocal}
	scim1     = &gatehouse.Group{ID: 15, OrganizationID: 1, Name: "Cloud", ManagedBy: gatehouse.ManagedSCIM}
	members2  = &gatehouse.Group{ID: 20, OrganizationID: 2, Name: "Members", Builtin: gatehouse.BuiltinMembers, ManagedBy: gatehouse.ManagedLocal}
	devs2     = &gatehouse.Group{ID: 22, OrganizationID: 2, Name: "Developers", ManagedBy: gatehouse.ManagedLocal}
	analysts2 = &gatehouse.Group{ID: 23, OrganizationID: 2, Name: "Analysts", ManagedBy: gatehouse.ManagedLocal}
)

func in(g *gatehouse.Group, source string) Current {
	return Current{Membership: &gatehouse.Membership{UserID: 1, GroupID: g.ID, OrganizationID: g.OrganizationID, Source: source}, Group: g}
}

func TestPlan(t *testing.T) {
	tests := []struct {
		name      string
		idp       []string
		named     []*gatehouse.Group
		current   []Current
		add       []*gatehouse.Group
		remove    []Current
		matched   []*gatehouse.Group
		joined    []int64
		left      []int64
		unmatched []string
	}{
		{
			name: "first login joins the matching group",
			idp:  []string{"Admins"}, named: []*gatehouse.Group{admins1},
			add: []*gatehouse.Group{admins1}, joined: []int64{1}, matched: []*gatehouse.Group{admins1},
		},
		{
			name: "one group name in two organizations gives both",
			idp:  []string{"Developers"}, named: []*gatehouse.Group{devs1, devs2},
			add: []*gatehouse.Group{devs1, devs2}, joined: []int64{1, 2}, matched: []*gatehouse.Group{devs1, devs2},
		},
		{
			name: "names match case-sensitively",
			idp:  []string{"Developers"}, named: []*gatehouse.Group{devs1, devsLow1},
			add: []*gatehouse.Group{devs1}, joined: []int64{1}, matched: []*gatehouse.Group{devs1},
		},
		{
			name: "a lowercase IdP group matches only the lowercase group",
			idp:  []string{"developers"}, named: []*gatehouse.Group{devs1, devsLow1},
			add: []*gatehouse.Group{devsLow1}, joined: []int64{1}, matched: []*gatehouse.Group{devsLow1},
		},
		{
			name: "an IdP group named Members matches nothing",
			idp:  []string{"Members"}, named: []*gatehouse.Group{members1, members2},
			unmatched: []string{"Members"},
		},
		{
			name: "removes a membership an admin added by hand",
			idp:  []string{"Developers"}, named: []*gatehouse.Group{devs1},
			current: []Current{in(devs1, gatehouse.SourceSync), in(admins1, gatehouse.SourceManual)},
			remove:  []Current{in(admins1, gatehouse.SourceManual)}, matched: []*gatehouse.Group{devs1},
		},
		{
			name: "removes a group the IdP no longer sends and leaves the organization",
			idp:  []string{"Developers"}, named: []*gatehouse.Group{devs1},
			current: []Current{in(devs1, gatehouse.SourceSync), in(analysts2, gatehouse.SourceSync)},
			remove:  []Current{in(analysts2, gatehouse.SourceSync)}, left: []int64{2}, matched: []*gatehouse.Group{devs1},
		},
		{
			name: "absent groups remove every synced membership",
			idp:  nil, named: nil,
			current: []Current{in(devs1, gatehouse.SourceSync), in(owners1, gatehouse.SourceManual)},
			remove:  []Current{in(owners1, gatehouse.SourceManual), in(devs1, gatehouse.SourceSync)}, left: []int64{1},
		},
		{
			name: "never removes Members or SCIM-managed memberships",
			idp:  nil, named: nil,
			current: []Current{in(members1, gatehouse.SourceManual), in(scim1, gatehouse.SourceSCIM)},
		},
		{
			name: "never adds a SCIM-managed group",
			idp:  []string{"Cloud"}, named: []*gatehouse.Group{scim1},
			unmatched: []string{"Cloud"},
		},
		{
			name: "keeps what already matches",
			idp:  []string{"Developers", "Admins"}, named: []*gatehouse.Group{devs1, admins1},
			current: []Current{in(devs1, gatehouse.SourceSync), in(admins1, gatehouse.SourceManual)},
			matched: []*gatehouse.Group{admins1, devs1},
		},
		{
			name: "moves between organizations",
			idp:  []string{"Analysts"}, named: []*gatehouse.Group{analysts2},
			current: []Current{in(devs1, gatehouse.SourceSync)},
			add:     []*gatehouse.Group{analysts2}, remove: []Current{in(devs1, gatehouse.SourceSync)},
			joined: []int64{2}, left: []int64{1}, matched: []*gatehouse.Group{analysts2},
		},
		{
			name: "lists IdP groups that match nothing, in order",
			idp:  []string{"Cloud Users", "Developers", "Zeta"}, named: []*gatehouse.Group{devs2},
			add: []*gatehouse.Group{devs2}, joined: []int64{2}, unmatched: []string{"Cloud Users", "Zeta"},
			matched: []*gatehouse.Group{devs2},
		},
		{
			name: "ignores named groups the IdP did not send",
			idp:  []string{"Admins"}, named: []*gatehouse.Group{admins1, devs1},
			add: []*gatehouse.Group{admins1}, joined: []int64{1}, matched: []*gatehouse.Group{admins1},
		},
	}
	opts := cmpopts.EquateEmpty()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Plan(tt.idp, tt.named, tt.current)
			if diff := cmp.Diff(tt.add, d.Add, opts); diff != "" {
				t.Errorf("Plan(%v).Add (-want +got):\n%s", tt.idp, diff)
			}
			if diff := cmp.Diff(tt.remove, d.Remove, opts); diff != "" {
				t.Errorf("Plan(%v).Remove (-want +got):\n%s", tt.idp, diff)
			}
			if diff := cmp.Diff(tt.matched, d.Matched, opts); diff != "" {
				t.Errorf("Plan(%v).Matched (-want +got):\n%s", tt.idp, diff)
			}
			if diff := cmp.Diff(tt.joined, d.Joined, opts); diff != "" {
				t.Errorf("Plan(%v).Joined (-want +got):\n%s", tt.idp, diff)
			}
			if diff := cmp.Diff(tt.left, d.Left, opts); diff != "" {
				t.Errorf("Plan(%v).Left (-want +got):\n%s", tt.idp, diff)
			}
			if diff := cmp.Diff(tt.unmatched, d.Unmatched, opts); diff != "" {
				t.Errorf("Plan(%v).Unmatched (-want +got):\n%s", tt.idp, diff)
			}
		})
	}
}

func TestPlanIsIdempotent(t *testing.T) {
	idp := []string{"Developers", "Analysts"}
	named := []*gatehouse.Group{devs1, devs2, analysts2}
	first := Plan(idp, named, []Current{in(admins1, gatehouse.SourceManual)})
	var after []Current
	for _, g := range first.Add {
		after = append(after, in(g, gatehouse.SourceSync))
	}
	if second := Plan(idp, named, after); !second.Empty() {
		t.Errorf("second Plan = %+v; want no change", second)
	}
}
