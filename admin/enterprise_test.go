package admin_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
)

func TestCreateEnterprise(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		actor     gatehouse.Actor
		e         gatehouse.Enterprise
		wantCode  string
		wantField string
	}{
		{"operator creates an enterprise", gatehouse.Operator, gatehouse.Enterprise{Key: "acme", Name: "Acme"}, "", ""},
		{"canonicalises the IP allow list", gatehouse.Operator, gatehouse.Enterprise{Key: "acme2", Name: "Acme", IPAllowList: []string{"10.1.2.3/8", "192.0.2.7"}}, "", ""},
		{"refuses an invalid key naming it", gatehouse.Operator, gatehouse.Enterprise{Key: "Acme Corp", Name: "Acme"}, gatehouse.EINVALID, "key"},
		{"refuses an empty name", gatehouse.Operator, gatehouse.Enterprise{Key: "acme3"}, gatehouse.EINVALID, "name"},
		{"refuses a bad CIDR naming the field", gatehouse.Operator, gatehouse.Enterprise{Key: "acme4", Name: "A", IPAllowList: []string{"10.0.0.0/33"}}, gatehouse.EINVALID, "ip_allow_list"},
		{"refuses a duplicate key", gatehouse.Operator, gatehouse.Enterprise{Key: "taken", Name: "Again"}, gatehouse.ECONFLICT, ""},
		{"refuses a user", gatehouse.UserActor(&gatehouse.User{ID: 99, Login: "u", Kind: gatehouse.UserLocal, Active: true}), gatehouse.Enterprise{Key: "acme5", Name: "A"}, gatehouse.EFORBIDDEN, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, st := MustService(t)
			MustEnterprise(t, s, "taken")
			before := auditCount(t, st)
			e := tt.e
			err := s.CreateEnterprise(ctx, tt.actor, &e)
			wantCode(t, err, tt.wantCode)
			if tt.wantField != "" {
				wantField(t, err, tt.wantField)
			}
			wantEvents := before
			if err == nil {
				wantEvents++
			}
			if got := auditCount(t, st); got != wantEvents {
				t.Errorf("audit events = %d; want %d", got, wantEvents)
			}
		})
	}
}

func TestIPAllowListIsCanonical(t *testing.T) {
	s, _ := MustService(t)
	e := &gatehouse.Enterprise{Key: "acme", Name: "Acme", IPAllowList: []string{"10.1.2.3/8", "192.0.2.7", "10.0.0.0/8"}}
	if err := s.CreateEnterprise(context.Background(), gatehouse.Operator, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.Enterprise(context.Background(), gatehouse.Operator, "acme")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"10.0.0.0/8", "192.0.2.7/32"}, got.IPAllowList); diff != "" {
		t.Errorf("IPAllowList (-want +got):\n%s", diff)
	}
}

func TestEnterpriseAdmins(t *testing.T) {
	ctx := context.Background()
	s, st := MustService(t)
	acme := MustEnterprise(t, s, "acme")
	other := MustEnterprise(t, s, "other")
	local := MustLocalUser(t, s, "lena")
	ssoAcme := MustSSOUser(t, st, acme.ID, "sam-acme")
	ssoOther := MustSSOUser(t, st, other.ID, "sam-other")

	if err := s.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", local.Login); err != nil {
		t.Fatal(err)
	}
	if err := s.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", ssoAcme.Login); err != nil {
		t.Fatal(err)
	}
	t.Run("refuses an SSO user of another enterprise", func(t *testing.T) {
		wantCode(t, s.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", ssoOther.Login), gatehouse.EINVALID)
	})
	t.Run("refuses a second time", func(t *testing.T) {
		wantCode(t, s.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", local.Login), gatehouse.ECONFLICT)
	})
	t.Run("an enterprise admin sees and changes only their enterprise", func(t *testing.T) {
		a := gatehouse.UserActor(local)
		es, err := s.ListEnterprises(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Key != "acme" {
			t.Errorf("ListEnterprises = %v; want only acme", es)
		}
		name := "Acme Inc."
		if _, err := s.UpdateEnterprise(ctx, a, "acme", admin.EnterpriseUpdate{Name: &name}); err != nil {
			t.Errorf("UpdateEnterprise(acme) = %v", err)
		}
		_, err = s.UpdateEnterprise(ctx, a, "other", admin.EnterpriseUpdate{Name: &name})
		wantCode(t, err, gatehouse.EFORBIDDEN)
	})
	t.Run("lists admins and removes one", func(t *testing.T) {
		admins, err := s.EnterpriseAdmins(ctx, gatehouse.Operator, "acme")
		if err != nil || len(admins) != 2 {
			t.Fatalf("EnterpriseAdmins = %v, %v; want 2", admins, err)
		}
		if err := s.RemoveEnterpriseAdmin(ctx, gatehouse.Operator, "acme", local.Login); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.RemoveEnterpriseAdmin(ctx, gatehouse.Operator, "acme", local.Login), gatehouse.ENOTFOUND)
	})
}

func TestDeleteEnterprise(t *testing.T) {
	ctx := context.Background()
	s, _ := MustService(t)
	MustEnterprise(t, s, "acme")
	MustOrganization(t, s, "org-a", "acme")
	wantCode(t, s.DeleteEnterprise(ctx, gatehouse.Operator, "acme"), gatehouse.ECONFLICT)
	if err := s.DeleteOrganization(ctx, gatehouse.Operator, "org-a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteEnterprise(ctx, gatehouse.Operator, "acme"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Enterprise(ctx, gatehouse.Operator, "acme")
	wantCode(t, err, gatehouse.ENOTFOUND)
}
