// Package provision turns what the identity provider says about a user
// into their memberships: Plan computes the difference between the groups
// the IdP names and the memberships the user has, and Apply writes it with
// its audit events. It knows nothing of SAML or XML: it reads plain group
// names from a [gatehouse.Identity].
package provision

import (
	"cmp"
	"maps"
	"slices"

	"github.com/gatehouse-sso/gatehouse"
)

// A Current membership is one the user has now, with its group.
type Current struct {
	Membership *gatehouse.Membership
	Group      *gatehouse.Group
}

// A Diff is what group sync changes for one user.
type Diff struct {
	// Add are the groups to put the user in, by organization then name.
	Add []*gatehouse.Group
	// Remove are the memberships to end, by organization then group.
	Remove []Current
	// Joined and Left are the organizations the user enters and leaves.
	Joined, Left []int64
	// Matched are the groups the user is in after the sync.
	Matched []*gatehouse.Group
	// Unmatched are the IdP groups that name no group of the enterprise,
	// in the order received.
	Unmatched []string
}

// Empty reports whether d changes nothing.
func (d *Diff) Empty() bool { return len(d.Add) == 0 && len(d.Remove) == 0 }

// Plan computes group sync (SPEC §3.7). idpGroups are the IdP's groups;
// named are the enterprise's groups whose name equals one of them (as
// store.Groups.GroupsNamed returns); current are the user's memberships in
// the enterprise's groups.
//
// The desired groups are those of named whose name is exactly one of
// idpGroups (case-sensitive), except Members and IdP-managed (SCIM)
// groups. Plan adds what is missing and removes every other membership,
// including ones an admin added by hand, but never touches Members or
// SCIM-managed groups, which group sync does not own.
func Plan(idpGroups []string, named []*gatehouse.Group, current []Current) *Diff {
	want := map[string]bool{}
	for _, g := range idpGroups {
		want[g] = true
	}
	desired := map[int64]*gatehouse.Group{}
	matchedNames := map[string]bool{}
	for _, g := range named {
		if want[g.Name] && syncable(g) {
			desired[g.ID] = g
			matchedNames[g.Name] = true
		}
	}
	d := &Diff{}
	have := map[int64]bool{}
	for _, c := range current {
		have[c.Group.ID] = true
		if syncable(c.Group) && desired[c.Group.ID] == nil {
			d.Remove = append(d.Remove, c)
		}
	}
	for _, g := range desired {
		d.Matched = append(d.Matched, g)
		if !have[g.ID] {
			d.Add = append(d.Add, g)
		}
	}
	for _, name := range idpGroups {
		if !matchedNames[name] {
			d.Unmatched = append(d.Unmatched, name)
		}
	}
	d.Joined, d.Left = orgChanges(current, d)
	sortGroups(d.Add)
	sortGroups(d.Matched)
	slices.SortFunc(d.Remove, func(a, b Current) int {
		return cmp.Or(cmp.Compare(a.Group.OrganizationID, b.Group.OrganizationID), cmp.Compare(a.Group.ID, b.Group.ID))
	})
	return d
}

// syncable reports whether group sync owns the memberships of g.
func syncable(g *gatehouse.Group) bool {
	return !g.IsMembers() && g.ManagedBy != gatehouse.ManagedSCIM
}

// orgChanges returns the organizations the user joins and leaves when d
// is applied to current.
func orgChanges(current []Current, d *Diff) (joined, left []int64) {
	before := map[int64]int{}
	for _, c := range current {
		before[c.Group.OrganizationID]++
	}
	after := maps.Clone(before)
	for _, c := range d.Remove {
		after[c.Group.OrganizationID]--
	}
	for _, g := range d.Add {
		after[g.OrganizationID]++
	}
	for org, n := range after {
		switch {
		case n > 0 && before[org] == 0:
			joined = append(joined, org)
		case n == 0 && before[org] > 0:
			left = append(left, org)
		}
	}
	slices.Sort(joined)
	slices.Sort(left)
	return joined, left
}

func sortGroups(gs []*gatehouse.Group) {
	slices.SortFunc(gs, func(a, b *gatehouse.Group) int {
		return cmp.Or(cmp.Compare(a.OrganizationID, b.OrganizationID), cmp.Compare(a.Name, b.Name))
	})
}
