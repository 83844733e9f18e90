package e2e

import (
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The Foundation acceptance: "A newcomer following the README creates an
// enterprise with two organizations, groups and projects through the API
// and through the CLI, on SQLite and on PostgreSQL." Each test builds the
// same enterprise one way and checks what the other way sees of it.

// opsPassword is the password of the local administrator both ways create.
const opsPassword = "correct horse battery staple"

// A foundationView is what the API or the administration commands show of
// the enterprise the Foundation tests build.
type foundationView struct {
	Enterprises []string            // "key: name"
	Orgs        []string            // "key: name", of enterprise acme
	Groups      map[string][]string // organization key → "name: permissions", sorted and comma-separated
	Projects    map[string][]string // organization key → "key: name"
	Users       []string            // "login kind name email"
}

var wantFoundation = foundationView{
	Enterprises: []string{"acme: Acme Corp"},
	Orgs:        []string{"acme-data: Acme Data", "acme-web: Acme Web"},
	Groups: map[string][]string{
		"acme-data": {"Members: ", "Owners: admin", "Analysts: scan", "Developers: scan"},
		"acme-web":  {"Members: ", "Owners: admin", "Developers: provisioning,scan", "Release Managers: gateadmin,profileadmin"},
	},
	Projects: map[string][]string{
		"acme-data": {"etl: ETL Pipelines", "warehouse: Warehouse"},
		"acme-web":  {"web-app: Web App"},
	},
	Users: []string{"ops-admin local Ops Admin ops@acme.example"},
}

// foundationGroups are the groups both ways create, by organization.
var foundationGroups = []struct{ org, name, permissions string }{
	{"acme-web", "Developers", "scan,provisioning"},
	{"acme-web", "Release Managers", "gateadmin,profileadmin"},
	{"acme-data", "Developers", "scan"},
	{"acme-data", "Analysts", "scan"},
}

// foundationProjects are the projects both ways create.
var foundationProjects = []struct{ org, key, name string }{
	{"acme-web", "web-app", "Web App"},
	{"acme-data", "etl", "ETL Pipelines"},
	{"acme-data", "warehouse", "Warehouse"},
}

// wantOpsProfile is what ops-admin, in acme-web's Owners, sees of themself.
var wantOpsProfile = map[string]string{"acme-web": "groups Members,Owners; permissions admin"}

func TestNewcomerSetsUpThroughTheAPI(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			s := MustServe(t, eng.db(t))
			var created, read map[string]any
			s.MustAPI(t, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme Corp"}, 201, &created)
			s.MustAPI(t, "GET", "/api/v1/enterprises/acme", nil, 200, &read)
			if diff := cmp.Diff(created, read); diff != "" {
				t.Errorf("the enterprise POST answered differs from what GET reads (-post +get):\n%s", diff)
			}
			for _, o := range []struct{ key, name string }{{"acme-web", "Acme Web"}, {"acme-data", "Acme Data"}} {
				s.MustAPI(t, "POST", "/api/v1/enterprises/acme/organizations", map[string]any{"key": o.key, "name": o.name}, 201, nil)
			}
			for _, g := range foundationGroups {
				s.MustAPI(t, "POST", "/api/v1/organizations/"+g.org+"/groups",
					map[string]any{"name": g.name, "permissions": strings.Split(g.permissions, ",")}, 201, &created)
				s.MustAPI(t, "GET", fmt.Sprintf("/api/v1/groups/%v", created["id"]), nil, 200, &read)
				if diff := cmp.Diff(created, read); diff != "" {
					t.Errorf("the group POST answered differs from what GET reads (-post +get):\n%s", diff)
				}
			}
			for _, p := range foundationProjects {
				s.MustAPI(t, "POST", "/api/v1/organizations/"+p.org+"/projects", map[string]any{"key": p.key, "name": p.name}, 201, nil)
			}
			s.MustAPI(t, "POST", "/api/v1/users",
				map[string]any{"login": "ops-admin", "name": "Ops Admin", "email": "ops@acme.example", "password": opsPassword}, 201, nil)
			s.MustAPI(t, "POST", fmt.Sprintf("/api/v1/groups/%d/members", apiGroupID(t, s, "acme-web", "Owners")),
				map[string]any{"login": "ops-admin"}, 204, nil)
			// Bad input writes nothing: the view below has no QA group.
			s.MustAPI(t, "POST", "/api/v1/organizations/acme-web/groups", map[string]any{"name": "QA", "permissions": []string{"scan", "deploy"}}, 400, nil)

			checkFoundation(t, s)
		})
	}
}

func TestNewcomerSetsUpThroughTheCLI(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			// The server runs while the operator types the commands, as it would.
			s := MustServe(t, eng.db(t))
			db := []string{"--db", s.DB}
			MustCLI(t, "", append([]string{"enterprise", "create", "--key", "acme", "--name", "Acme Corp"}, db...)...)
			for _, o := range []struct{ key, name string }{{"acme-web", "Acme Web"}, {"acme-data", "Acme Data"}} {
				MustCLI(t, "", append([]string{"org", "create", "--enterprise", "acme", "--key", o.key, "--name", o.name}, db...)...)
			}
			for _, g := range foundationGroups {
				MustCLI(t, "", append([]string{"group", "create", "--org", g.org, "--name", g.name, "--permissions", g.permissions}, db...)...)
			}
			for _, p := range foundationProjects {
				MustCLI(t, "", append([]string{"project", "create", "--org", p.org, "--key", p.key, "--name", p.name}, db...)...)
			}
			MustCLI(t, opsPassword+"\n", append([]string{"user", "create", "--login", "ops-admin", "--name", "Ops Admin", "--email", "ops@acme.example"}, db...)...)
			MustCLI(t, "", append([]string{"group", "add-member", "--group", cliGroupID(t, s.DB, "acme-web", "Owners"), "--login", "ops-admin"}, db...)...)
			// Bad input writes nothing, and the command says what is wrong.
			if _, stderr, ok := runCLI(t, "", append([]string{"group", "create", "--org", "acme-web", "--name", "QA", "--permissions", "scan,deploy"}, db...)...); ok || !strings.Contains(stderr, "deploy") {
				t.Errorf("group create --permissions scan,deploy: ok %v, stderr %q; want a failure that names deploy", ok, stderr)
			}

			checkFoundation(t, s)
		})
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			files, err := filepath.Glob(filepath.Join("..", "store", "sqlstore", "migrations", eng.name, "*.sql"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no migrations of %s found (%v)", eng.name, err)
			}
			want := fmt.Sprintf(" is at schema version %d\n", len(files))
			db := eng.db(t)
			for _, run := range []string{"on an empty database", "again, with nothing left to do"} {
				if out := MustCLI(t, "", "migrate", "--db", db); !strings.HasSuffix(out, want) {
					t.Errorf("gatehouse migrate %s printed %q; want it to end with %q", run, out, want)
				}
			}
			s := MustServe(t, db)
			s.MustAPI(t, "POST", "/api/v1/enterprises", map[string]any{"key": "acme", "name": "Acme Corp"}, 201, nil)
			if got := MustCLITable(t, "enterprise", "list", "--db", db); len(got) != 1 || got[0]["KEY"] != "acme" {
				t.Errorf("enterprise list on the migrated database = %v; want acme", got)
			}
		})
	}
}

// checkFoundation checks that the API and the commands both show
// wantFoundation, and that ops-admin logs in with their password and
// administers acme-web.
func checkFoundation(t *testing.T, s *Server) {
	t.Helper()
	if diff := cmp.Diff(wantFoundation, apiFoundation(t, s)); diff != "" {
		t.Errorf("the API shows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantFoundation, cliFoundation(t, s.DB)); diff != "" {
		t.Errorf("the commands show (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantOpsProfile, localLoginProfile(t, s, "ops-admin", opsPassword)); diff != "" {
		t.Errorf("ops-admin's GET /api/v1/me after a local login (-want +got):\n%s", diff)
	}
}

// apiFoundation reads the Foundation view through the API.
func apiFoundation(tb testing.TB, s *Server) foundationView {
	tb.Helper()
	v := foundationView{Groups: map[string][]string{}, Projects: map[string][]string{}}
	var es []struct{ Key, Name string }
	s.MustAPI(tb, "GET", "/api/v1/enterprises", nil, 200, &es)
	for _, e := range es {
		v.Enterprises = append(v.Enterprises, e.Key+": "+e.Name)
	}
	var orgs []struct{ Key, Name string }
	s.MustAPI(tb, "GET", "/api/v1/enterprises/acme/organizations", nil, 200, &orgs)
	for _, o := range orgs {
		v.Orgs = append(v.Orgs, o.Key+": "+o.Name)
		var gs []struct {
			Name        string
			Permissions []string
		}
		s.MustAPI(tb, "GET", "/api/v1/organizations/"+o.Key+"/groups", nil, 200, &gs)
		for _, g := range gs {
			v.Groups[o.Key] = append(v.Groups[o.Key], g.Name+": "+sortedList(g.Permissions))
		}
		var ps []struct{ Key, Name string }
		s.MustAPI(tb, "GET", "/api/v1/organizations/"+o.Key+"/projects", nil, 200, &ps)
		for _, p := range ps {
			v.Projects[o.Key] = append(v.Projects[o.Key], p.Key+": "+p.Name)
		}
	}
	var us []struct{ Login, Kind, Name, Email string }
	s.MustAPI(tb, "GET", "/api/v1/users", nil, 200, &us)
	for _, u := range us {
		v.Users = append(v.Users, strings.Join([]string{u.Login, u.Kind, u.Name, u.Email}, " "))
	}
	return v
}

// cliFoundation reads the Foundation view with the list commands.
func cliFoundation(tb testing.TB, db string) foundationView {
	tb.Helper()
	v := foundationView{Groups: map[string][]string{}, Projects: map[string][]string{}}
	for _, e := range MustCLITable(tb, "enterprise", "list", "--db", db) {
		v.Enterprises = append(v.Enterprises, e["KEY"]+": "+e["NAME"])
	}
	for _, o := range MustCLITable(tb, "org", "list", "--enterprise", "acme", "--db", db) {
		key := o["KEY"]
		v.Orgs = append(v.Orgs, key+": "+o["NAME"])
		for _, g := range MustCLITable(tb, "group", "list", "--org", key, "--db", db) {
			v.Groups[key] = append(v.Groups[key], g["NAME"]+": "+sortedList(strings.Split(g["PERMISSIONS"], ",")))
		}
		for _, p := range MustCLITable(tb, "project", "list", "--org", key, "--db", db) {
			v.Projects[key] = append(v.Projects[key], p["KEY"]+": "+p["NAME"])
		}
	}
	for _, u := range MustCLITable(tb, "user", "list", "--db", db) {
		v.Users = append(v.Users, strings.Join([]string{u["LOGIN"], u["KIND"], u["NAME"], u["EMAIL"]}, " "))
	}
	return v
}

// sortedList returns the non-empty values of list, sorted and comma-separated.
func sortedList(list []string) string {
	list = slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == "" })
	slices.Sort(list)
	return strings.Join(list, ",")
}

// apiGroupID returns the ID of the group name of organization org, through the API.
func apiGroupID(tb testing.TB, s *Server, org, name string) int64 {
	tb.Helper()
	var gs []struct {
		ID   int64
		Name string
	}
	s.MustAPI(tb, "GET", "/api/v1/organizations/"+org+"/groups", nil, 200, &gs)
	for _, g := range gs {
		if g.Name == name {
			return g.ID
		}
	}
	tb.Fatalf("organization %s has no group %q: %v", org, name, gs)
	return 0
}

// cliGroupID returns the ID of the group name of organization org, from "group list".
func cliGroupID(tb testing.TB, db, org, name string) string {
	tb.Helper()
	for _, g := range MustCLITable(tb, "group", "list", "--org", org, "--db", db) {
		if g["NAME"] == name {
			if _, err := strconv.ParseInt(g["ID"], 10, 64); err != nil {
				tb.Fatalf("group list: ID %q of %s is not a number", g["ID"], name)
			}
			return g["ID"]
		}
	}
	tb.Fatalf("group list --org %s shows no group %q", org, name)
	return ""
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// localLoginProfile logs a local user in through the login page's form and
// returns what GET /api/v1/me shows of their organizations, as
// "groups A,B; permissions p,q" by organization key.
func localLoginProfile(tb testing.TB, s *Server, login, password string) map[string]string {
	tb.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		tb.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	page := mustGet(tb, client, s.URL+"/login")
	m := csrfInput.FindStringSubmatch(page)
	if m == nil {
		tb.Fatalf("the login page has no csrf field:\n%s", page)
	}
	resp, err := client.PostForm(s.URL+"/login/local", url.Values{"csrf": {m[1]}, "login": {login}, "password": {password}})
	if err != nil {
		tb.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/organizations" {
		tb.Fatalf("local login of %s ended on %s with %s; want /organizations, 200 OK", login, resp.Request.URL, resp.Status)
	}
	var me meJSON
	mustGetJSON(tb, client, s.URL+"/api/v1/me", &me)
	return me.summary()
}
