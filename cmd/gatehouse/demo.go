package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/internal/devidp"
)

// demoEnterprise is the key of the enterprise the demo seeds.
const demoEnterprise = "acme"

// runDemo handles "gatehouse demo": Gatehouse on SQLite with a seeded
// enterprise and a development IdP in the same process, so that a
// newcomer logs in through a real SAML flow with one command.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	m := &Main{}
	m.Config.bindFlags(fs)
	fs.Lookup("db").DefValue = "a fresh file in a temporary folder"
	m.Config.DB = ""
	// The demo is for a laptop, where IdPs under test live on loopback.
	fs.Lookup("allow-private-metadata-urls").DefValue = "true"
	m.Config.AllowPrivateMetadataURLs = true
	if err := fs.Parse(args); err != nil {
		return err
	}
	if m.Config.DB == "" {
		dir, err := os.MkdirTemp("", "gatehouse-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		m.Config.DB = filepath.Join(dir, "gatehouse.db")
	}
	if m.Config.AdminToken == "" {
		m.Config.AdminToken = rand.Text()
	}
	logger, err := newLogger(stderr, m.Config.LogLevel)
	if err != nil {
		return err
	}
	m.Logger = logger
	var idp *devidp.IdP
	m.Mount = func(base *url.URL) (map[string]http.Handler, error) {
		idp, err = devidp.New(devidp.Config{BaseURL: base.JoinPath("devidp"), Logger: logger})
		if err != nil {
			return nil, err
		}
		return map[string]http.Handler{"/devidp/": idp.Handler()}, nil
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	adminPassword := rand.Text()
	if err := seedDemo(ctx, m.Admin, idp, adminPassword); err != nil {
		m.Close()
		return fmt.Errorf("seed the demo: %w", err)
	}
	printWelcome(stdout, m.URL(), m.Config.AdminToken, adminPassword)
	<-ctx.Done()
	return m.Close()
}

// demoGroups are the groups of each demo organization, chosen so that the
// sample users show group sync at work: alice's "Developers" matches in
// both organizations and her "Admins" in one; bob's "developers" differs
// only by case and matches nothing; carol has no groups.
var demoGroups = map[string][]gatehouse.Group{
	"acme-web": {
		{Name: "Developers", Description: "Build and analyse the web apps.", Permissions: []gatehouse.Permission{gatehouse.PermissionScan, gatehouse.PermissionProvisioning}},
		{Name: "Admins", Description: "Administer the organization.", Permissions: []gatehouse.Permission{gatehouse.PermissionAdmin}},
	},
	"acme-data": {
		{Name: "Developers", Description: "Build the data pipelines.", Permissions: []gatehouse.Permission{gatehouse.PermissionScan}},
		{Name: "Analysts", Description: "Read the results.", Permissions: nil},
	},
}

// demoAdmin is the local account that administers the demo enterprise.
const demoAdmin = "admin"

// seedDemo creates the demo enterprise, its organizations, groups and
// projects, its SSO connection to idp, and a local enterprise admin whose
// password is adminPassword.
func seedDemo(ctx context.Context, a *admin.Service, idp *devidp.IdP, adminPassword string) error {
	op := gatehouse.Operator
	if err := a.CreateEnterprise(ctx, op, &gatehouse.Enterprise{Key: demoEnterprise, Name: "Acme Corp"}); err != nil {
		return err
	}
	for _, org := range []string{"acme-web", "acme-data"} {
		if err := a.CreateOrganization(ctx, op, &gatehouse.Organization{Key: org, Name: "Acme " + org[5:]}, demoEnterprise); err != nil {
			return err
		}
		for _, g := range demoGroups[org] {
			if err := a.CreateGroup(ctx, op, org, &g); err != nil {
				return err
			}
		}
		if err := a.CreateProject(ctx, op, org, &gatehouse.Project{Key: org + "-main", Name: "Main project"}); err != nil {
			return err
		}
	}
	u := &gatehouse.User{Login: demoAdmin, Name: "Demo administrator", Email: "admin@acme.example"}
	if err := a.CreateLocalUser(ctx, op, u, adminPassword); err != nil {
		return err
	}
	if err := a.AddEnterpriseAdmin(ctx, op, demoEnterprise, u.Login); err != nil {
		return err
	}
	view, err := a.PutSSO(ctx, op, demoEnterprise, admin.SSOInput{IdPEntityID: idp.EntityID(), SSOURL: idp.SSOURL(),
		Certificates: []string{idp.CertificatePEM()}, Preset: admin.PresetDefault})
	if err != nil {
		return err
	}
	return idp.AddServiceProvider(view.EntityID, view.ACSURL)
}

func printWelcome(w io.Writer, base, token, adminPassword string) {
	fmt.Fprintf(w, `
Gatehouse demo is running on %[1]s (a development IdP included; not for production).

  Log in with SSO:  %[1]s/login/sso?enterprise_key=%[2]s
  Sample users (password = login):
    alice  groups Developers, Admins  -> Acme web (Developers, Admins) and Acme data (Developers)
    bob    group  developers          -> no organization: group names are case-sensitive
    carol  no groups                  -> no organization, and the page says why

  Administer the enterprise (SSO & Provisioning, groups, audit log):
    %[1]s/login  ->  Local account: %[4]s / %[5]s

  The REST API, as the operator:
    curl -H 'Authorization: Bearer %[3]s' %[1]s/api/v1/enterprises/%[2]s/organizations

Press Ctrl-C to stop. The demo's data is thrown away when it stops.
`, base, demoEnterprise, token, demoAdmin, adminPassword)
}
