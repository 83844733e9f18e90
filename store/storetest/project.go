package storetest

import (
	"testing"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

func testProjects(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips every field", testProjectRoundTrip},
		{"lists the organization's by key", testListProjects},
		{"updates name, not key", testUpdateProject},
		{"deleting removes it from token scopes", testDeleteProject},
	})
	runErrCases(t, newStore, projectsErrors)
}

// projectsErrors are the writes and reads of Projects that must fail.
var projectsErrors = []errCase{
	{"a taken key in the organization is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateProject(&gatehouse.Project{OrganizationID: f.Org.ID, Key: "web", Name: "x", CreatedAt: now})
	}, store.ErrConflict},
	{"a key taken in another organization is allowed", func(t *testing.T, tx store.Tx, f *Fixture) error {
		o := MustOrganization(t, tx, "other", 0)
		return tx.CreateProject(&gatehouse.Project{OrganizationID: o.ID, Key: "web", Name: "x", CreatedAt: now})
	}, nil},
	{"an unknown organization is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateProject(&gatehouse.Project{OrganizationID: f.Org.ID + 100, Key: "web", Name: "x", CreatedAt: now})
	}, store.ErrConflict},
	{"an unknown key is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.Project(f.Org.ID, "nope")
		return err
	}, store.ErrNotFound},
	{"updating an unknown project is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.UpdateProject(&gatehouse.Project{ID: f.Project.ID + 100, Name: "x"})
	}, store.ErrNotFound},
	{"deleting an unknown project is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.DeleteProject(f.Project.ID + 100)
	}, store.ErrNotFound},
}

func testProjectRoundTrip(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.Project(f.Org.ID, f.Project.Key)
		check(t, "Project", err)
		if diff := cmp.Diff(f.Project, got, diffOpts...); diff != "" {
			t.Errorf("read back project (-want +got):\n%s", diff)
		}
	})
}

func testListProjects(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	MustTx(t, s, func(tx store.Tx) {
		MustProject(t, tx, f.Org.ID, "api")
		MustProject(t, tx, f.Org.ID, "Zeta")
		MustProject(t, tx, MustOrganization(t, tx, "other", 0).ID, "aaa")
	})
	MustView(t, s, func(tx store.Tx) {
		ps, err := tx.ListProjects(f.Org.ID)
		check(t, "ListProjects", err)
		if diff := cmp.Diff([]string{"Zeta", "api", "web"}, pluck(ps, projectKey)); diff != "" {
			t.Errorf("ListProjects() keys (-want +got):\n%s", diff)
		}
	})
}

func testUpdateProject(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	p := *f.Project
	p.Key, p.Name = "other", "Renamed"
	MustTx(t, s, func(tx store.Tx) { check(t, "UpdateProject", tx.UpdateProject(&p)) })
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.Project(f.Org.ID, f.Project.Key)
		check(t, "Project", err)
		if got.Name != "Renamed" {
			t.Errorf("Project().Name = %q after UpdateProject; want %q", got.Name, "Renamed")
		}
	})
}

func testDeleteProject(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var api *gatehouse.Project
	var both, only, all *gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		api = MustProject(t, tx, f.Org.ID, "api")
		both = MustOrganizationToken(t, tx, f.Local.ID, f.Org.ID, "both", api.ID, f.Project.ID)
		only = MustOrganizationToken(t, tx, f.Local.ID, f.Org.ID, "only", f.Project.ID)
		all = MustOrganizationToken(t, tx, f.Local.ID, f.Org.ID, "all")
		check(t, "DeleteProject", tx.DeleteProject(f.Project.ID))
	})
	MustView(t, s, func(tx store.Tx) {
		_, err := tx.Project(f.Org.ID, f.Project.Key)
		wantErr(t, "Project", err, store.ErrNotFound)
		got, err := tx.Token(both.ID)
		check(t, "Token", err)
		if diff := cmp.Diff([]int64{api.ID}, got.ProjectIDs); diff != "" {
			t.Errorf("scope of a token on two projects (-want +got):\n%s", diff)
		}
		_, err = tx.Token(only.ID)
		wantErr(t, "Token(scoped to the deleted project alone)", err, store.ErrNotFound)
		got, err = tx.Token(all.ID)
		check(t, "Token(every project)", err)
		if len(got.ProjectIDs) != 0 {
			t.Errorf("scope of a token on every project = %v; want empty", got.ProjectIDs)
		}
	})
}
