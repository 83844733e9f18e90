package provision

import (
	"fmt"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// SyncActor is the actor of group sync in the audit log.
var SyncActor = gatehouse.Actor{Kind: gatehouse.ActorSAMLSync}

// Apply writes d for the SSO user u inside tx, at now: it adds and removes
// memberships and records each change, and each organization joined or
// left, as an audit event by saml-sync. The caller holds u's row lock
// (store.Users.LockUser), so that concurrent logins apply one after the other.
func Apply(tx store.Tx, now time.Time, u *gatehouse.User, d *Diff) error {
	for _, c := range d.Remove {
		if err := tx.RemoveMembership(u.ID, c.Group.ID); err != nil {
			return fmt.Errorf("remove %q from group %d: %w", u.Login, c.Group.ID, err)
		}
		if err := record(tx, now, u, gatehouse.AuditGroupRemoveMember, c.Group, map[string]any{"source": c.Membership.Source}); err != nil {
			return err
		}
	}
	for _, g := range d.Add {
		m := &gatehouse.Membership{UserID: u.ID, GroupID: g.ID, OrganizationID: g.OrganizationID, Source: gatehouse.SourceSync, CreatedAt: now}
		if err := tx.AddMembership(m); err != nil {
			return fmt.Errorf("add %q to group %d: %w", u.Login, g.ID, err)
		}
		if err := record(tx, now, u, gatehouse.AuditGroupAddMember, g, map[string]any{"source": gatehouse.SourceSync}); err != nil {
			return err
		}
	}
	for _, org := range d.Joined {
		if err := recordOrg(tx, now, u, gatehouse.AuditOrgAddUser, org); err != nil {
			return err
		}
	}
	for _, org := range d.Left {
		if err := recordOrg(tx, now, u, gatehouse.AuditOrgRemoveUser, org); err != nil {
			return err
		}
	}
	return nil
}

func record(tx store.Tx, now time.Time, u *gatehouse.User, typ string, g *gatehouse.Group, details map[string]any) error {
	details["group"] = g.Name
	details["group_id"] = g.ID
	return audit.Record(tx, now, SyncActor, audit.Event{Type: typ, EnterpriseID: u.EnterpriseID, OrganizationID: g.OrganizationID,
		Target: "user:" + u.Login, Details: details})
}

func recordOrg(tx store.Tx, now time.Time, u *gatehouse.User, typ string, org int64) error {
	return audit.Record(tx, now, SyncActor, audit.Event{Type: typ, EnterpriseID: u.EnterpriseID, OrganizationID: org, Target: "user:" + u.Login})
}

// CurrentMemberships reads u's memberships in the groups of u's
// enterprise, with their groups. It reads only the groups that known,
// already read by the caller, does not hold: on most logins the user is
// in exactly the groups the IdP names, and reading them twice was a fifth
// of the cost of the login transaction.
func CurrentMemberships(tx store.Tx, u *gatehouse.User, known []*gatehouse.Group) ([]Current, error) {
	ms, err := tx.ListMemberships(store.MembershipFilter{UserID: u.ID, EnterpriseID: u.EnterpriseID})
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	byID := make(map[int64]*gatehouse.Group, len(known)+len(ms))
	for _, g := range known {
		byID[g.ID] = g
	}
	var unread []int64
	for _, m := range ms {
		if byID[m.GroupID] == nil {
			unread = append(unread, m.GroupID)
		}
	}
	if len(unread) > 0 {
		gs, err := tx.GroupsByID(unread)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			byID[g.ID] = g
		}
	}
	out := make([]Current, 0, len(ms))
	for _, m := range ms {
		if g := byID[m.GroupID]; g != nil {
			out = append(out, Current{Membership: m, Group: g})
		}
	}
	return out, nil
}
