package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse/saml/samltest"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// cliRun runs the gatehouse command with args against db and returns its
// output and error.
func cliRun(t *testing.T, db, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--db", db)
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

// mustCLI runs the command and fails the test if it fails.
func mustCLI(t *testing.T, db, stdin string, args ...string) string {
	t.Helper()
	out, err := cliRun(t, db, stdin, args...)
	if err != nil {
		t.Fatalf("gatehouse %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func TestCLIBuildsAnEnterprise(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	mustCLI(t, db, "", "enterprise", "create", "--key", "acme", "--name", "Acme Corp")
	for _, org := range []string{"acme-web", "acme-data"} {
		mustCLI(t, db, "", "org", "create", "--key", org, "--name", org, "--enterprise", "acme")
		mustCLI(t, db, "", "group", "create", "--org", org, "--name", "Developers", "--permissions", "scan,provisioning")
		mustCLI(t, db, "", "project", "create", "--org", org, "--key", org+"-app", "--name", "App")
	}
	mustCLI(t, db, "a long enough password\n", "user", "create", "--login", "lena", "--name", "Lena")
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"enterprise", "list"}, []string{"acme", "Acme Corp"}},
		{[]string{"org", "list", "--enterprise", "acme"}, []string{"acme-data", "acme-web"}},
		{[]string{"group", "list", "--org", "acme-web"}, []string{"Members", "Owners", "admin", "Developers", "scan,provisioning"}},
		{[]string{"project", "list", "--org", "acme-data"}, []string{"acme-data-app"}},
		{[]string{"user", "list"}, []string{"lena", "local"}},
	}
	for _, tt := range tests {
		out := mustCLI(t, db, "", tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("gatehouse %s does not show %q:\n%s", strings.Join(tt.args, " "), w, out)
			}
		}
	}
}

func TestCLIRefusals(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	mustCLI(t, db, "", "enterprise", "create", "--key", "acme", "--name", "Acme")
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
		// readsDB is set for refusals that need the database's contents;
		// the others must not even create it.
		readsDB bool
	}{
		{"a duplicate key", "", []string{"enterprise", "create", "--key", "acme", "--name", "Again"}, `"acme" already exists`, true},
		{"an unknown organization", "", []string{"group", "create", "--org", "nope", "--name", "X"}, `"nope" does not exist`, true},
		{"a missing flag", "", []string{"org", "create", "--key", "x1"}, "--name is required", false},
		{"an invalid key", "", []string{"org", "create", "--key", "X 1", "--name", "X"}, `"X 1" is not valid`, false},
		{"an unknown permission", "", []string{"group", "create", "--org", "nope", "--name", "X", "--permissions", "root"}, `"root"`, false},
		{"a short password", "short\n", []string{"user", "create", "--login", "pia", "--name", "Pia"}, "at least 12", false},
		{"no password", "", []string{"user", "create", "--login", "pia", "--name", "Pia"}, "password on stdin", false},
		{"an unknown command", "", []string{"org", "explode"}, `unknown command`, false},
	}
	before := auditEvents(t, db)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := cliRun(t, db, tt.stdin, tt.args...)
			if err == nil || !strings.Contains(err.Error()+out, tt.want) {
				t.Errorf("gatehouse %s = %v %q; want an error mentioning %q", strings.Join(tt.args, " "), err, out, tt.want)
			}
			if tt.readsDB {
				return
			}
			fresh := filepath.Join(t.TempDir(), "fresh.db")
			if _, err := cliRun(t, fresh, tt.stdin, tt.args...); err == nil {
				t.Errorf("gatehouse %s on a fresh database succeeded", strings.Join(tt.args, " "))
			}
			if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("gatehouse %s, refused, created the database %s (stat: %v)", strings.Join(tt.args, " "), fresh, err)
			}
		})
	}
	if after := auditEvents(t, db); after != before {
		t.Errorf("refused commands recorded %d audit events; want none", after-before)
	}
}

// auditEvents returns how many audit events the database at db holds:
// every change the commands make records one.
func auditEvents(t *testing.T, db string) int {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	storetest.MustView(t, st, func(tx store.Tx) {
		evs, err := tx.ListAuditEvents(store.AuditFilter{Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		n = len(evs)
	})
	return n
}

func TestCLISSO(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cli.db")
	idp, err := samltest.NewIdP("https://idp.example.com", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert := filepath.Join(dir, "idp.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Certificate.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, db, "", "enterprise", "create", "--key", "acme", "--name", "Acme")
	out := mustCLI(t, db, "", "sso", "set", "--enterprise", "acme", "--idp-entity-id", idp.EntityID,
		"--sso-url", "https://idp.example.com/sso", "--cert-file", cert, "--preset", "entra", "--base-url", "https://gatehouse.example.com")
	for _, w := range []string{"https://gatehouse.example.com/saml/acme/acs", "https://gatehouse.example.com/login/sso?enterprise_key=acme",
		"login=http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"} {
		if !strings.Contains(out, w) {
			t.Errorf("sso set does not show %q:\n%s", w, out)
		}
	}
	if _, err := cliRun(t, db, "", "sso", "set", "--enterprise", "acme", "--idp-entity-id", "x", "--sso-url", "https://x/sso", "--cert-file", db); err == nil {
		t.Errorf("sso set with a non-PEM certificate succeeded")
	}
	if out, err := cliRun(t, db, "", "sso", "delete", "--enterprise", "acme", "--force"); err != nil {
		t.Errorf("sso delete --force: %v %s", err, out)
	}
}

func TestCLIIPAllowList(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	mustCLI(t, db, "", "enterprise", "create", "--key", "acme", "--name", "Acme")
	steps := []struct {
		args     []string
		want     string // in the output, or in the error when wantErr
		wantErr  bool
		wantList string // the IP ALLOW LIST column of "enterprise list" afterwards
	}{
		{[]string{"--cidrs", "203.0.113.0/24, 2001:db8::/32,198.51.100.7"}, "acme allows 203.0.113.0/24, 2001:db8::/32, 198.51.100.7/32", false,
			"203.0.113.0/24,2001:db8::/32,198.51.100.7/32"},
		{[]string{"--cidrs", "10.0.0.0/8,300.1.1.1/8"}, `"300.1.1.1/8"`, true, "203.0.113.0/24,2001:db8::/32,198.51.100.7/32"},
		{[]string{}, "--cidrs is required", true, "203.0.113.0/24,2001:db8::/32,198.51.100.7/32"},
		{[]string{"--cidrs", ""}, "acme allows every address", false, ""},
	}
	for _, st := range steps {
		args := append([]string{"enterprise", "set-ip-allow-list", "--enterprise", "acme"}, st.args...)
		out, err := cliRun(t, db, "", args...)
		if (err != nil) != st.wantErr || !strings.Contains(out+fmt.Sprint(err), st.want) {
			t.Errorf("gatehouse %s = %v %q; want error %v mentioning %q", strings.Join(args, " "), err, out, st.wantErr, st.want)
		}
		list := strings.Fields(strings.Split(mustCLI(t, db, "", "enterprise", "list"), "\n")[1])
		if got := list[len(list)-1]; got != st.wantList && !(st.wantList == "" && got == "Acme") {
			t.Errorf("after gatehouse %s, enterprise list shows %q; want %q", strings.Join(args, " "), got, st.wantList)
		}
	}
}

func TestCLIHelpListsTheCommandsOfANoun(t *testing.T) {
	for _, args := range [][]string{{"org"}, {"org", "-h"}, {"org", "--help"}, {"org", "help"}} {
		var out bytes.Buffer
		err := run(context.Background(), args, strings.NewReader(""), &out, &out)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(out.String(), "add-member") {
			t.Errorf("gatehouse %s = %v %q; want the commands of org and flag.ErrHelp", strings.Join(args, " "), err, out.String())
		}
	}
}
