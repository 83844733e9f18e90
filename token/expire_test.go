package token_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/token"
)

func TestExpireRemovesTokensUnusedFor60Days(t *testing.T) {
	forEachEngine(t, testExpire)
}

func testExpire(t *testing.T, e *env) {
	ctx := context.Background()
	alice := e.MustSSOLogin(t, "alice@acme.example", "Devs")
	idle := e.MustPersonal(t, e.Lena, "idle", time.Time{})
	used := e.MustPersonal(t, alice, "used", time.Time{})
	e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "idle"})
	e.MustOrganizationToken(t, e.Olga, "acme-web", token.OrganizationTokenInput{Name: "dated", ExpiresAt: testNow.Add(365 * 24 * time.Hour)})
	e.Now = testNow.Add(10 * 24 * time.Hour)
	if _, err := e.Tokens.Authenticate(ctx, used.Secret, inside); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		at   time.Time
		want []string // names of the tokens removed
	}{
		{"nothing is removed at 60 days exactly", testNow.Add(token.UnusedLifetime), nil},
		{"tokens never used are removed past 60 days after creation, except those with an expiry",
			testNow.Add(token.UnusedLifetime + time.Millisecond), []string{"idle", "idle"}},
		{"a used token goes past 60 days after its last use", testNow.Add(10*24*time.Hour + token.UnusedLifetime + time.Millisecond), []string{"used"}},
		{"running again removes nothing", testNow.Add(300 * 24 * time.Hour), nil},
	}
	for _, st := range steps {
		e.Now = st.at
		removed, err := e.Tokens.Expire(ctx)
		must(t, err)
		var got []string
		for _, k := range removed {
			got = append(got, k.Name)
		}
		if diff := cmp.Diff(st.want, got); diff != "" {
			t.Errorf("%s: Expire removed (-want +got):\n%s", st.name, diff)
		}
	}
	if _, err := e.Tokens.Authenticate(ctx, idle.Secret, inside); gatehouse.ErrorCode(err) != gatehouse.EUNAUTHORIZED {
		t.Errorf("Authenticate(removed token) = %v; want unauthorized", err)
	}
	want := []string{"system user:lena idle", "system organization:acme-web idle", "system user:" + alice.Login + " used"}
	got := e.events(t, gatehouse.AuditTokenRevoke)
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("token.revoke events (-want +got):\n%s", diff)
	}
}

// TestExpireOnSeveralNodesRemovesEachTokenOnce runs the job on several
// services, as on the nodes of a cluster, at the same time.
func TestExpireOnSeveralNodesRemovesEachTokenOnce(t *testing.T) {
	forEachEngine(t, testExpireConcurrently)
}

func testExpireConcurrently(t *testing.T, e *env) {
	ctx := context.Background()
	const tokens, nodes = 20, 4
	for i := range tokens {
		e.MustPersonal(t, e.Lena, "t"+string(rune('a'+i)), time.Time{})
	}
	removed := make([]int, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		node := token.NewService(e.Store)
		node.Now = func() time.Time { return testNow.Add(token.UnusedLifetime + time.Millisecond) }
		wg.Go(func() {
			ks, err := node.Expire(ctx)
			if err != nil {
				t.Errorf("node %d: Expire = %v", i, err)
			}
			removed[i] = len(ks)
		})
	}
	wg.Wait()
	total := 0
	for _, n := range removed {
		total += n
	}
	if total != tokens {
		t.Errorf("nodes removed %v tokens, %d in all; want %d in all", removed, total, tokens)
	}
	if n := len(e.events(t, gatehouse.AuditTokenRevoke)); n != tokens {
		t.Errorf("%d token.revoke events; want %d", n, tokens)
	}
}
