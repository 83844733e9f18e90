// Package access decides who may administer what: the operator everything,
// an enterprise admin their enterprise and its organizations, an
// organization admin (a user holding the admin permission there) their
// organization. The services ask it before every change; it reads through
// the store and changes nothing.
package access

import (
	"fmt"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
)

// Roles are what one actor may administer.
type Roles struct {
	operator      bool
	enterprises   map[int64]bool
	organizations map[int64]bool
}

// Of returns the roles of a, read inside tx. Actors other than the
// operator and active users administer nothing.
func Of(tx store.Tx, a gatehouse.Actor) (*Roles, error) {
	r := &Roles{operator: a.Kind == gatehouse.ActorOperator, enterprises: map[int64]bool{}, organizations: map[int64]bool{}}
	if a.Kind != gatehouse.ActorUser || a.User == nil || !a.User.Active {
		return r, nil
	}
	ents, err := tx.AdminEnterpriseIDs(a.User.ID)
	if err != nil {
		return nil, fmt.Errorf("read enterprise roles: %w", err)
	}
	for _, id := range ents {
		r.enterprises[id] = true
	}
	grants, err := tx.UserPermissions(a.User.ID, 0)
	if err != nil {
		return nil, fmt.Errorf("read organization roles: %w", err)
	}
	for _, g := range grants {
		if g.Permission == gatehouse.PermissionAdmin {
			r.organizations[g.OrganizationID] = true
		}
	}
	return r, nil
}

// Operator reports whether the actor is the operator.
func (r *Roles) Operator() bool { return r.operator }

// EnterpriseAdmin reports whether the actor may administer the enterprise.
func (r *Roles) EnterpriseAdmin(enterpriseID int64) bool {
	return r.operator || r.enterprises[enterpriseID]
}

// OrganizationAdmin reports whether the actor may administer o: as the
// operator, as an admin of o, or as an admin of o's enterprise.
func (r *Roles) OrganizationAdmin(o *gatehouse.Organization) bool {
	return r.operator || r.organizations[o.ID] || (o.EnterpriseID != 0 && r.enterprises[o.EnterpriseID])
}

// Forbidden returns the EFORBIDDEN error for an action the actor may not take.
func Forbidden(action string) error {
	return gatehouse.Errorf(gatehouse.EFORBIDDEN, "You are not allowed to %s.", action)
}
