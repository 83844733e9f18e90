package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/google/go-cmp/cmp"
)

func testTokens(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore, []subtest{
		{"round-trips personal and organization tokens", testTokenRoundTrip},
		{"lists newest first", testListTokens},
		{"TokenAuth joins the user, the organization and the enterprise whose allow list applies", testTokenAuth},
		{"TokenCheck answers as TokenAuth, the organization's and project's keys, and UserPermissions do", testTokenCheck},
		{"TokenCheck of an unknown hash is ErrNotFound", testTokenCheckUnknown},
		{"TouchToken only moves last use forwards", testTouchToken},
		{"DeleteUnusedTokens removes personal and non-expiring tokens idle since the cutoff", testDeleteUnusedTokens},
	})
	runErrCases(t, newStore, tokensErrors)
}

// tokensErrors are the writes and reads of Tokens that must fail.
var tokensErrors = []errCase{
	{"a taken hash is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		MustPersonalToken(t, tx, f.Local.ID, "secret", now)
		return tx.CreateToken(&gatehouse.Token{Kind: gatehouse.TokenPersonal, Name: "x", Hash: Hash("secret"), UserID: f.SSO.ID, CreatedAt: now})
	}, store.ErrConflict},
	{"an unknown user is ErrConflict", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.CreateToken(&gatehouse.Token{Kind: gatehouse.TokenPersonal, Name: "x", Hash: Hash("x"), UserID: f.SSO.ID + 100, CreatedAt: now})
	}, store.ErrConflict},
	{"an unknown ID is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.Token(1000)
		return err
	}, store.ErrNotFound},
	{"authenticating an unknown hash is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		_, err := tx.TokenAuth(Hash("nope"))
		return err
	}, store.ErrNotFound},
	{"touching an unknown token is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.TouchToken(1000, now)
	}, store.ErrNotFound},
	{"deleting an unknown token is ErrNotFound", func(t *testing.T, tx store.Tx, f *Fixture) error {
		return tx.DeleteToken(1000)
	}, store.ErrNotFound},
	{"deleting a token", func(t *testing.T, tx store.Tx, f *Fixture) error {
		k := MustPersonalToken(t, tx, f.Local.ID, "secret", now)
		check(t, "DeleteToken", tx.DeleteToken(k.ID))
		_, err := tx.Token(k.ID)
		return err
	}, store.ErrNotFound},
}

func testTokenRoundTrip(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var personal, scoped *gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		personal = MustPersonalToken(t, tx, f.Local.ID, "gat_one", now)
		scoped = &gatehouse.Token{Kind: gatehouse.TokenOrganization, Name: "CI", Hash: Hash("gsot_two"), UserID: f.Local.ID,
			OrganizationID: f.Org.ID, ProjectIDs: []int64{f.Project.ID}, CreatedAt: now,
			LastUsedAt: now.Add(time.Minute), ExpiresAt: now.Add(30 * 24 * time.Hour)}
		check(t, "CreateToken", tx.CreateToken(scoped))
	})
	MustView(t, s, func(tx store.Tx) {
		for _, want := range []*gatehouse.Token{personal, scoped} {
			byID, err := tx.Token(want.ID)
			check(t, "Token", err)
			byHash, err := tx.TokenAuth(want.Hash)
			check(t, "TokenAuth", err)
			for _, got := range []*gatehouse.Token{byID, byHash.Token} {
				if diff := cmp.Diff(want, got, diffOpts...); diff != "" {
					t.Errorf("read back token (-want +got):\n%s", diff)
				}
			}
		}
	})
}

func testListTokens(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var old, recent, org *gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		recent = MustPersonalToken(t, tx, f.Local.ID, "recent", now)
		old = MustPersonalToken(t, tx, f.Local.ID, "old", now.Add(-time.Hour))
		MustPersonalToken(t, tx, f.SSO.ID, "someone else's", now)
		org = MustOrganizationToken(t, tx, f.Local.ID, f.Org.ID, "org")
	})
	tests := []struct {
		filter store.TokenFilter
		want   []*gatehouse.Token
	}{
		{store.TokenFilter{UserID: f.Local.ID}, []*gatehouse.Token{recent, old}},
		{store.TokenFilter{OrganizationID: f.Org.ID}, []*gatehouse.Token{org}},
	}
	MustView(t, s, func(tx store.Tx) {
		for _, tt := range tests {
			got, err := tx.ListTokens(tt.filter)
			check(t, "ListTokens", err)
			if diff := cmp.Diff(tt.want, got, diffOpts...); diff != "" {
				t.Errorf("ListTokens(%+v) (-want +got):\n%s", tt.filter, diff)
			}
		}
	})
}

func testTokenAuth(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var solo *gatehouse.Organization
	var ssoToken, localToken, orgToken, soloToken *gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		check(t, "UpdateEnterprise", tx.UpdateEnterprise(&gatehouse.Enterprise{ID: f.Enterprise.ID, Key: f.Enterprise.Key,
			Name: f.Enterprise.Name, IPAllowList: []string{"203.0.113.0/24"}}))
		f.Enterprise.IPAllowList = []string{"203.0.113.0/24"}
		solo = MustOrganization(t, tx, "solo", 0)
		ssoToken = MustPersonalToken(t, tx, f.SSO.ID, "gat_sso", now)
		localToken = MustPersonalToken(t, tx, f.Local.ID, "gat_local", now)
		orgToken = MustOrganizationToken(t, tx, f.Local.ID, f.Org.ID, "gsot_org", f.Project.ID)
		soloToken = MustOrganizationToken(t, tx, f.SSO.ID, solo.ID, "gsot_solo")
	})
	tests := []struct {
		name string
		want *store.TokenAuth
	}{
		{"an SSO user's personal token comes with the user's enterprise",
			&store.TokenAuth{Token: ssoToken, User: f.SSO, Enterprise: f.Enterprise}},
		{"a local user's personal token comes with no enterprise",
			&store.TokenAuth{Token: localToken, User: f.Local}},
		{"an organization token comes with the organization's enterprise, not its creator's",
			&store.TokenAuth{Token: orgToken, User: f.Local, Organization: f.Org, Enterprise: f.Enterprise}},
		{"an organization token outside any enterprise comes with none, whoever created it",
			&store.TokenAuth{Token: soloToken, User: f.SSO, Organization: solo}},
	}
	MustView(t, s, func(tx store.Tx) {
		for _, tt := range tests {
			got, err := tx.TokenAuth(tt.want.Token.Hash)
			check(t, "TokenAuth", err)
			if diff := cmp.Diff(tt.want, got, diffOpts...); diff != "" {
				t.Errorf("%s: TokenAuth (-want +got):\n%s", tt.name, diff)
			}
		}
	})
}

// testTokenCheck asks TokenCheck every question a user's token and an
// organization token can ask about three organizations, and holds each
// answer against the reads it stands for.
func testTokenCheck(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var data *gatehouse.Organization
	var tokens []*gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		// Members grants provisioning in acme-web: the SSO user, in Owners,
		// holds it through Members, as root, in Devs, does.
		f.Members.Permissions = []gatehouse.Permission{gatehouse.PermissionProvisioning}
		check(t, "UpdateGroup", tx.UpdateGroup(f.Members))
		MustMembership(t, tx, f.Local.ID, f.Devs.ID, gatehouse.SourceManual)
		MustMembership(t, tx, f.SSO.ID, f.Owners.ID, gatehouse.SourceSync)
		data = MustOrganization(t, tx, "acme-data", f.Enterprise.ID)
		MustBuiltinGroup(t, tx, data.ID, gatehouse.BuiltinMembers)
		dataDevs := MustGroup(t, tx, data.ID, "Devs", gatehouse.PermissionScan, gatehouse.PermissionGateAdmin)
		MustMembership(t, tx, f.SSO.ID, dataDevs.ID, gatehouse.SourceSync)
		MustProject(t, tx, data.ID, "etl")
		f.Enterprise.IPAllowList = []string{"203.0.113.0/24"}
		check(t, "UpdateEnterprise", tx.UpdateEnterprise(f.Enterprise))
		f.SSO.Active = false
		check(t, "UpdateUser", tx.UpdateUser(f.SSO))
		tokens = append(tokens, MustPersonalToken(t, tx, f.Local.ID, "gat_root", now),
			MustPersonalToken(t, tx, f.SSO.ID, "gat_bob", now), MustOrganizationToken(t, tx, f.Local.ID, f.Org.ID, "gsot_web", f.Project.ID))
	})
	orgs := map[string]int64{f.Org.Key: f.Org.ID, data.Key: data.ID, "nope": 0}
	projects := map[string]map[string]int64{f.Org.Key: {"web": f.Project.ID}, data.Key: {"etl": 0}}
	type question struct {
		k            *gatehouse.Token
		org, project string
		perm         gatehouse.Permission
		want         *store.TokenCheck
	}
	var questions []question
	MustView(t, s, func(tx store.Tx) {
		projects[data.Key]["etl"] = mustProjectID(t, tx, data.ID, "etl")
		for _, k := range tokens {
			auth, err := tx.TokenAuth(k.Hash)
			check(t, "TokenAuth", err)
			for org, orgID := range orgs {
				grants, err := tx.UserPermissions(k.UserID, orgID)
				check(t, "UserPermissions", err)
				for _, perm := range gatehouse.Permissions {
					for _, project := range []string{"", "web", "etl", "nope"} {
						want := &store.TokenCheck{Token: auth.Token, UserActive: auth.User.Active, OrganizationID: orgID, ProjectID: projects[org][project],
							Holds: orgID != 0 && slices.Contains(grants, store.PermissionGrant{OrganizationID: orgID, Permission: perm})}
						if auth.Enterprise != nil {
							want.EnterpriseKey, want.IPAllowList = auth.Enterprise.Key, auth.Enterprise.IPAllowList
						}
						questions = append(questions, question{k, org, project, perm, want})
					}
				}
			}
		}
	})
	for _, q := range questions {
		got, err := s.TokenCheck(t.Context(), q.k.Hash, q.org, q.perm, q.project)
		check(t, "TokenCheck", err)
		if diff := cmp.Diff(q.want, got, diffOpts...); diff != "" {
			t.Errorf("TokenCheck(%s, %s, %s, %q) (-want +got):\n%s", q.k.Name, q.org, q.perm, q.project, diff)
		}
	}
}

func testTokenCheckUnknown(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	_, err := s.TokenCheck(t.Context(), Hash("nope"), f.Org.Key, gatehouse.PermissionScan, "")
	wantErr(t, "TokenCheck", err, store.ErrNotFound)
}

// mustProjectID returns the ID of the organization's project with key.
func mustProjectID(tb testing.TB, tx store.Tx, organizationID int64, key string) int64 {
	tb.Helper()
	p, err := tx.Project(organizationID, key)
	check(tb, "Project", err)
	return p.ID
}

func testTouchToken(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	var k *gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		k = MustPersonalToken(t, tx, f.Local.ID, "secret", now)
		check(t, "TouchToken", tx.TouchToken(k.ID, now.Add(2*time.Minute)))
		check(t, "TouchToken(earlier)", tx.TouchToken(k.ID, now.Add(time.Minute)))
	})
	MustView(t, s, func(tx store.Tx) {
		got, err := tx.Token(k.ID)
		check(t, "Token", err)
		if want := now.Add(2 * time.Minute); !got.LastUsedAt.Equal(want) {
			t.Errorf("LastUsedAt = %v; want %v", got.LastUsedAt, want)
		}
	})
}

func testDeleteUnusedTokens(t *testing.T, s store.Store) {
	f := MustFixture(t, s)
	cutoff := now.Add(-60 * 24 * time.Hour)
	var idle, neverUsed, idleOrg []*gatehouse.Token
	MustTx(t, s, func(tx store.Tx) {
		idle = append(idle, MustPersonalToken(t, tx, f.Local.ID, "idle", cutoff.Add(-time.Hour)))
		check(t, "TouchToken", tx.TouchToken(idle[0].ID, cutoff.Add(-time.Millisecond)))
		idle[0].LastUsedAt = cutoff.Add(-time.Millisecond)
		neverUsed = append(neverUsed, MustPersonalToken(t, tx, f.Local.ID, "never used", cutoff.Add(-time.Hour)))
		used := MustPersonalToken(t, tx, f.Local.ID, "used", cutoff.Add(-time.Hour))
		check(t, "TouchToken", tx.TouchToken(used.ID, cutoff))
		MustPersonalToken(t, tx, f.Local.ID, "new", cutoff)
		org := &gatehouse.Token{Kind: gatehouse.TokenOrganization, Name: "org", Hash: Hash("org"), UserID: f.Local.ID,
			OrganizationID: f.Org.ID, CreatedAt: cutoff.Add(-time.Hour)}
		check(t, "CreateToken", tx.CreateToken(org))
		idleOrg = append(idleOrg, org)
		expiring := *org
		expiring.Hash, expiring.ExpiresAt = Hash("expiring"), now.Add(time.Hour)
		check(t, "CreateToken", tx.CreateToken(&expiring))
	})
	want := append(append(idle, neverUsed...), idleOrg...)
	MustTx(t, s, func(tx store.Tx) {
		got, err := tx.DeleteUnusedTokens(cutoff)
		check(t, "DeleteUnusedTokens", err)
		if diff := cmp.Diff(want, got, diffOpts...); diff != "" {
			t.Errorf("DeleteUnusedTokens() (-want +got):\n%s", diff)
		}
		left, err := tx.ListTokens(store.TokenFilter{UserID: f.Local.ID})
		check(t, "ListTokens", err)
		if diff := cmp.Diff([]string{"new", "used"}, pluck(left, tokenName)); diff != "" {
			t.Errorf("personal tokens left (-want +got):\n%s", diff)
		}
	})
}

func tokenName(k *gatehouse.Token) string { return k.Name }
