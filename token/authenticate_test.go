package token_test

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/token"
)

func TestAuthenticate(t *testing.T) {
	forEachEngine(t, testAuthenticate)
}

func testAuthenticate(t *testing.T, e *env) {
	ctx := context.Background()
	alice := e.MustSSOLogin(t, "alice@acme.example", "Devs")
	local := e.MustPersonal(t, e.Lena, "laptop", time.Time{}).Secret
	sso := e.MustPersonal(t, alice, "ci", time.Time{}).Secret
	expired := e.MustPersonal(t, e.Lena, "short", testNow.Add(time.Hour)).Secret
	acmeOrg := e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "scanner"}).Secret
	soloOrg := e.MustOrganizationToken(t, e.Root, "solo", token.OrganizationTokenInput{Name: "scanner"}).Secret
	unknown := token.New(gatehouse.TokenPersonal)
	e.Now = testNow.Add(2 * time.Hour)
	tests := []struct {
		name     string
		secret   string
		client   netip.Addr
		wantUser string // login of the principal's user
		wantOrg  string // key of the principal's organization
		wantCode string
		wantMsg  string
	}{
		{"a local user's token works from any address, allow lists notwithstanding", local, outside, "lena", "", "", ""},
		{"an SSO user's token works from inside the enterprise's allow list", sso, inside, alice.Login, "", "", ""},
		{"an SSO user's token is refused outside the allow list, naming the address", sso, outside, "", "", gatehouse.EFORBIDDEN, "198.51.100.9"},
		{"an SSO user's token is refused from an unknown address", sso, netip.Addr{}, "", "", gatehouse.EFORBIDDEN, "unknown address"},
		{"an IPv4-mapped IPv6 address counts as its IPv4 address", sso, netip.MustParseAddr("::ffff:203.0.113.7"), alice.Login, "", "", ""},
		{"an organization token works from inside its enterprise's allow list", acmeOrg, inside, "", "acme-web", "", ""},
		{"an organization token is refused outside its enterprise's allow list", acmeOrg, outside, "", "", gatehouse.EFORBIDDEN, "198.51.100.9"},
		{"an organization outside any enterprise has no allow list", soloOrg, outside, "", "solo", "", ""},
		{"an expired token is refused, saying when it expired", expired, inside, "", "", gatehouse.EUNAUTHORIZED, "expired on 2026-11-27T11:00:00Z"},
		{"a well-formed token that was never issued is refused", unknown, inside, "", "", gatehouse.EUNAUTHORIZED, "not valid"},
		{"a mistyped token is refused by its checksum", local[:len(local)-1] + flip(local[len(local)-1]), inside, "", "", gatehouse.EUNAUTHORIZED, "checksum"},
		{"the operator token is not a Gatehouse token", "operator-secret", inside, "", "", gatehouse.EUNAUTHORIZED, "gat_ or gsot_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The access check's one-query path refuses and admits alike.
			_, checkErr := e.Tokens.CheckToken(ctx, tt.secret, tt.client, "acme-web", gatehouse.PermissionScan, "")
			if gatehouse.ErrorCode(checkErr) != tt.wantCode || !strings.Contains(gatehouse.ErrorMessage(checkErr), tt.wantMsg) {
				t.Errorf("CheckToken = %v; want code %q mentioning %q", checkErr, tt.wantCode, tt.wantMsg)
			}
			p, err := e.Tokens.Authenticate(ctx, tt.secret, tt.client)
			if tt.wantCode != "" {
				if gatehouse.ErrorCode(err) != tt.wantCode || !strings.Contains(gatehouse.ErrorMessage(err), tt.wantMsg) {
					t.Errorf("Authenticate = %v; want %s mentioning %q", err, tt.wantCode, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Authenticate = %v; want a principal", err)
			}
			if got := principalName(p); got != tt.wantUser+tt.wantOrg {
				t.Errorf("Authenticate = %s; want %s", got, tt.wantUser+tt.wantOrg)
			}
		})
	}
}

// flip returns another base62 digit than c.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// principalName is the login of p's user or the key of p's organization.
func principalName(p *token.Principal) string {
	switch {
	case p.User != nil && p.Organization == nil:
		return p.User.Login
	case p.User == nil && p.Organization != nil:
		return p.Organization.Key
	}
	return "a principal with both a user and an organization"
}

func TestTokensOfDeactivatedAndDeletedUsersStopAtOnce(t *testing.T) {
	forEachEngine(t, testTokensStopAtOnce)
}

func testTokensStopAtOnce(t *testing.T, e *env) {
	ctx := context.Background()
	alice := e.MustSSOLogin(t, "alice@acme.example", "Devs")
	bob := e.MustSSOLogin(t, "bob@acme.example", "Devs")
	aliceToken := e.MustPersonal(t, alice, "ci", time.Time{}).Secret
	bobToken := e.MustPersonal(t, bob, "ci", time.Time{}).Secret
	lenaToken := e.MustPersonal(t, e.Lena, "ci", time.Time{}).Secret
	// An enterprise admin's organization token belongs to the organization.
	must(t, e.Admin.AddEnterpriseAdmin(ctx, gatehouse.Operator, "acme", bob.Login))
	orgToken := e.MustOrganizationToken(t, bob, "acme-web", token.OrganizationTokenInput{Name: "scanner"}).Secret
	off := false
	_, err := e.Admin.UpdateUser(ctx, gatehouse.Operator, alice.Login, admin.UserUpdate{Active: &off})
	must(t, err)
	must(t, e.Admin.DeleteUser(ctx, gatehouse.Operator, "lena"))
	// A user deactivated without going through the admin service (as an
	// identity provider might, one day) keeps token rows: they must stop too.
	must(t, e.Store.Tx(ctx, func(tx store.Tx) error {
		bob.Active = false
		return tx.UpdateUser(bob)
	}))
	if _, err := e.Tokens.CheckToken(ctx, orgToken, inside, "acme-web", gatehouse.PermissionScan, ""); err != nil {
		t.Errorf("CheckToken(organization token of a deactivated creator) = %v; want it to keep working", err)
	}
	must(t, e.Admin.DeleteUser(ctx, gatehouse.Operator, bob.Login))
	if ok, err := e.Tokens.CheckToken(ctx, orgToken, inside, "acme-web", gatehouse.PermissionScan, ""); err != nil || !ok {
		t.Errorf("CheckToken(organization token of a deleted creator) = %v, %v; want it to keep working", ok, err)
	}
	for name, secret := range map[string]string{"deactivated": aliceToken, "deleted": lenaToken, "deactivated in the store, then deleted": bobToken} {
		if _, err := e.Tokens.Authenticate(ctx, secret, inside); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
			t.Errorf("Authenticate(token of a %s user) = %v; want unauthorized", name, err)
		}
		if _, err := e.Tokens.CheckToken(ctx, secret, inside, "acme-web", gatehouse.PermissionScan, ""); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
			t.Errorf("CheckToken(token of a %s user) = %v; want unauthorized", name, err)
		}
	}
}

func TestStatusesFollowTheClock(t *testing.T) {
	forEachEngine(t, testStatuses)
}

func testStatuses(t *testing.T, e *env) {
	ctx := context.Background()
	expiry := testNow.Add(10 * 24 * time.Hour)
	c := e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "nightly", ExpiresAt: expiry})
	e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "forever"})
	tests := []struct {
		name    string
		at      time.Time
		want    string // status of "nightly"
		wantErr string // Authenticate's refusal, "" if it works
	}{
		{"active while more than 7 days remain", testNow, gatehouse.TokenActive, ""},
		{"active at exactly 7 days left", expiry.Add(-7 * 24 * time.Hour), gatehouse.TokenActive, ""},
		{"about to expire within 7 days, and still working", expiry.Add(-7*24*time.Hour + time.Millisecond), gatehouse.TokenAboutToExpire, ""},
		{"about to expire a millisecond before the end", expiry.Add(-time.Millisecond), gatehouse.TokenAboutToExpire, ""},
		{"expired at the expiry instant, and refused", expiry, gatehouse.TokenExpired, "expired on 2026-12-07T10:00:00Z"},
		{"expired after it", expiry.Add(30 * 24 * time.Hour), gatehouse.TokenExpired, "expired on 2026-12-07T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Now = tt.at
			list, err := e.Tokens.OrganizationTokens(ctx, gatehouse.UserActor(e.Olga), "acme-web")
			must(t, err)
			got := map[string]string{}
			for _, s := range list {
				got[s.Token.Name] = s.Status
			}
			if got["nightly"] != tt.want || got["forever"] != gatehouse.TokenActive {
				t.Errorf("statuses at %v = %v; want nightly %s, forever active", tt.at, got, tt.want)
			}
			_, err = e.Tokens.Authenticate(ctx, c.Secret, inside)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && !strings.Contains(gatehouse.ErrorMessage(err), tt.wantErr) {
				t.Errorf("Authenticate at %v = %v; want %q", tt.at, err, tt.wantErr)
			}
		})
	}
}

func TestLastUseIsRecordedAtMostOncePerInterval(t *testing.T) {
	forEachEngine(t, testLastUse)
}

func testLastUse(t *testing.T, e *env) {
	ctx := context.Background()
	c := e.MustPersonal(t, e.Lena, "laptop", time.Time{})
	steps := []struct {
		name string
		at   time.Duration // after testNow
		want time.Duration // recorded last use, after testNow; -1: never
	}{
		{"a new token was never used", 0, -1},
		{"the first use is recorded", time.Second, time.Second},
		{"a use within the interval writes nothing", time.Second + token.TouchInterval - time.Millisecond, time.Second},
		{"a use an interval later is recorded", time.Second + token.TouchInterval, time.Second + token.TouchInterval},
	}
	for i, st := range steps {
		e.Now = testNow.Add(st.at)
		if i > 0 {
			if _, err := e.Tokens.Authenticate(ctx, c.Secret, inside); err != nil {
				t.Fatalf("%s: Authenticate = %v", st.name, err)
			}
		}
		list, err := e.Tokens.PersonalTokens(ctx, gatehouse.UserActor(e.Lena))
		must(t, err)
		want := time.Time{}
		if st.want >= 0 {
			want = testNow.Add(st.want)
		}
		if got := list[0].Token.LastUsedAt; !got.Equal(want) {
			t.Errorf("%s: LastUsedAt = %v; want %v", st.name, got, want)
		}
	}
}

// TestConcurrentUsesOfOneToken authenticates one stale token from many
// goroutines at once, as a burst of CI jobs would: every request is
// admitted and the use is recorded.
func TestConcurrentUsesOfOneToken(t *testing.T) {
	forEachEngine(t, testConcurrentUses)
}

func testConcurrentUses(t *testing.T, e *env) {
	ctx := context.Background()
	c := e.MustPersonal(t, e.Lena, "ci", time.Time{})
	e.Now = testNow.Add(time.Hour)
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := e.Tokens.CheckToken(ctx, c.Secret, inside, "acme-web", gatehouse.PermissionScan, ""); err != nil {
				t.Errorf("CheckToken = %v", err)
			}
		})
	}
	wg.Wait()
	list, err := e.Tokens.PersonalTokens(ctx, gatehouse.UserActor(e.Lena))
	must(t, err)
	if got := list[0].Token.LastUsedAt; !got.Equal(e.Now) {
		t.Errorf("LastUsedAt = %v; want %v", got, e.Now)
	}
}
