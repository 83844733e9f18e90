package admin

import (
	"context"
	"fmt"
	"slices"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/access"
	"github.com/gatehouse-sso/gatehouse/audit"
	"github.com/gatehouse-sso/gatehouse/store"
)

// CreateEnterprise creates e and sets its ID and creation time. Only the
// operator creates enterprises.
func (s *Service) CreateEnterprise(ctx context.Context, a gatehouse.Actor, e *gatehouse.Enterprise) error {
	if err := e.Validate(); err != nil {
		return err
	}
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		if !r.Operator() {
			return access.Forbidden("create enterprises")
		}
		e.CreatedAt = s.Now().UTC()
		if err := tx.CreateEnterprise(e); err != nil {
			return conflict(err, "An enterprise with key %q already exists.", e.Key)
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditEnterpriseCreate, EnterpriseID: e.ID,
			Target: "enterprise:" + e.Key, Details: map[string]any{"name": e.Name}})
	})
}

// Enterprise returns the enterprise with key, if a administers it.
func (s *Service) Enterprise(ctx context.Context, a gatehouse.Actor, key string) (*gatehouse.Enterprise, error) {
	var e *gatehouse.Enterprise
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var err error
		e, err = adminEnterprise(tx, r, key)
		return err
	})
	return e, err
}

// adminEnterprise reads the enterprise with key and checks that r may
// administer it.
func adminEnterprise(tx store.Tx, r *access.Roles, key string) (*gatehouse.Enterprise, error) {
	e, err := enterprise(tx, key)
	if err != nil {
		return nil, err
	}
	if !r.EnterpriseAdmin(e.ID) {
		return nil, access.Forbidden(fmt.Sprintf("administer enterprise %q", key))
	}
	return e, nil
}

// ListEnterprises returns the enterprises a administers: all of them for
// the operator.
func (s *Service) ListEnterprises(ctx context.Context, a gatehouse.Actor) ([]*gatehouse.Enterprise, error) {
	var out []*gatehouse.Enterprise
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		all, err := tx.ListEnterprises()
		if err != nil {
			return err
		}
		for _, e := range all {
			if r.EnterpriseAdmin(e.ID) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// An EnterpriseUpdate holds the fields to change; nil fields stay as they are.
type EnterpriseUpdate struct {
	Name        *string
	IPAllowList *[]string
}

// UpdateEnterprise applies u to the enterprise with key and returns it.
func (s *Service) UpdateEnterprise(ctx context.Context, a gatehouse.Actor, key string, u EnterpriseUpdate) (*gatehouse.Enterprise, error) {
	var e *gatehouse.Enterprise
	err := s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		var err error
		if e, err = adminEnterprise(tx, r, key); err != nil {
			return err
		}
		prev := *e
		if u.Name != nil {
			e.Name = *u.Name
		}
		if u.IPAllowList != nil {
			e.IPAllowList = *u.IPAllowList
		}
		if err := e.Validate(); err != nil {
			return err
		}
		details := map[string]any{}
		if e.Name != prev.Name {
			details["name"] = e.Name
		}
		if !slices.Equal(e.IPAllowList, prev.IPAllowList) {
			details["ip_allow_list"] = e.IPAllowList
		}
		if len(details) == 0 {
			return nil
		}
		if err := tx.UpdateEnterprise(e); err != nil {
			return err
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditEnterpriseUpdate, EnterpriseID: e.ID,
			Target: "enterprise:" + e.Key, Details: details})
	})
	return e, err
}

// DeleteEnterprise deletes the enterprise with key. Only the operator may,
// and only once it holds no organization and no user.
func (s *Service) DeleteEnterprise(ctx context.Context, a gatehouse.Actor, key string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		if !r.Operator() {
			return access.Forbidden("delete enterprises")
		}
		e, err := enterprise(tx, key)
		if err != nil {
			return err
		}
		if err := tx.DeleteEnterprise(e.ID); err != nil {
			return conflict(err, "Enterprise %q still holds organizations or users: delete or move them first.", key)
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditEnterpriseRemove, Target: "enterprise:" + e.Key})
	})
}

// AddEnterpriseAdmin makes the user with login an administrator of the
// enterprise. The user must be a local user or an SSO user of that
// enterprise.
func (s *Service) AddEnterpriseAdmin(ctx context.Context, a gatehouse.Actor, key, login string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		u, err := userByLogin(tx, login)
		if err != nil {
			return err
		}
		if u.Kind == gatehouse.UserSSO && u.EnterpriseID != e.ID {
			return gatehouse.Invalidf("login", "User %q signs in through another enterprise and cannot administer %q.", login, key)
		}
		if err := tx.AddEnterpriseAdmin(e.ID, u.ID); err != nil {
			return conflict(err, "User %q is already an administrator of enterprise %q.", login, key)
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditEnterpriseAdmin, EnterpriseID: e.ID, Target: "user:" + u.Login})
	})
}

// RemoveEnterpriseAdmin ends the user's administration of the enterprise.
func (s *Service) RemoveEnterpriseAdmin(ctx context.Context, a gatehouse.Actor, key, login string) error {
	return s.change(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		u, err := userByLogin(tx, login)
		if err != nil {
			return err
		}
		if err := tx.RemoveEnterpriseAdmin(e.ID, u.ID); err != nil {
			return notFound(err, "User %q is not an administrator of enterprise %q.", login, key)
		}
		return s.record(tx, a, audit.Event{Type: gatehouse.AuditEnterpriseUnadmin, EnterpriseID: e.ID, Target: "user:" + u.Login})
	})
}

// EnterpriseAdmins returns the administrators of the enterprise.
func (s *Service) EnterpriseAdmins(ctx context.Context, a gatehouse.Actor, key string) ([]*gatehouse.User, error) {
	var out []*gatehouse.User
	err := s.read(ctx, a, func(tx store.Tx, r *access.Roles) error {
		e, err := adminEnterprise(tx, r, key)
		if err != nil {
			return err
		}
		out, err = tx.EnterpriseAdmins(e.ID)
		return err
	})
	return out, err
}

// EnterpriseOf returns the enterprise o belongs to, or ENOTFOUND if none.
// An enterprise's key and name are public (they appear in its SSO login
// URL), so anyone who may see o may see them.
func (s *Service) EnterpriseOf(ctx context.Context, a gatehouse.Actor, o *gatehouse.Organization) (*gatehouse.Enterprise, error) {
	var e *gatehouse.Enterprise
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		e, err = tx.EnterpriseByID(o.EnterpriseID)
		return notFound(err, "Organization %q belongs to no enterprise.", o.Key)
	})
	return e, err
}
