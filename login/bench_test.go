//go:build unix

package login_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	crewjam "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/storetest"
)

// The benchmarks of the ACS (issue "SSO", items 4 and 8). BENCHMARKS.md
// at the repository root records their figures and how to reproduce them.
//
// Each reports, besides ns/op, the CPU time the whole process spent per
// operation (user and system, from getrusage, so that it counts the
// garbage collector and every goroutine but not the time the machine gave
// to others) as cpu-ns/op, and its inverse as ops/cpu-s.

// BenchmarkACS measures FinishSSO end to end on SQLite: pending request,
// signature and assertion checks, provisioning, group sync, session and
// audit, for a returning user whose IdP sends n groups, half of which
// name a group of the enterprise (2 organizations of 50 groups). Every
// login has its own pending request and its own freshly signed Response,
// both made before the timer starts.
func BenchmarkACS(b *testing.B) {
	for _, n := range []int{10, 150} {
		b.Run(fmt.Sprintf("%dgroups", n), func(b *testing.B) {
			e := MustBenchEnv(b, 2)
			u := alice.withGroups(benchGroups(n, 2)...)
			first := e.MustLogin(b, u).User
			ins := make([]login.ACS, b.N)
			for i := range ins {
				s := e.MustStart(b, "acme", "")
				ins[i] = s.acs(e.MustResponse(b, s, u))
			}
			measureCPU(b, "logins/cpu-s", func() {
				for _, in := range ins {
					res, err := e.Login.FinishSSO(context.Background(), in)
					if err != nil || res.User.ID != first.ID {
						b.Fatalf("FinishSSO() = %v, %v; want user %d", res, err, first.ID)
					}
				}
			})
			if got := len(e.groupsOf(b, first)); got != n/2 {
				b.Errorf("after %d logins the user is in %d groups; want %d", b.N, got, n/2)
			}
		})
	}
}

// BenchmarkBareParseResponse measures what BenchmarkACS is compared
// with: crewjam/saml's ServiceProvider.ParseXMLResponse alone, after the
// base64 decoding, on the same kind of Response (same IdP key, same
// attributes, assertion signed with RSA-SHA256), set up as package saml
// sets it up.
func BenchmarkBareParseResponse(b *testing.B) {
	for _, n := range []int{10, 150} {
		b.Run(fmt.Sprintf("%dgroups", n), func(b *testing.B) {
			e := &env{IdP: MustIdP(b), Now: testNow}
			s := started{Key: "acme", RequestID: "id-bench-request"}
			form := e.MustResponse(b, s, alice.withGroups(benchGroups(n, 2)...))
			sp := bareProvider(b, e)
			measureCPU(b, "calls/cpu-s", func() {
				for range b.N {
					doc, err := base64.StdEncoding.DecodeString(form)
					if err != nil {
						b.Fatal(err)
					}
					a, err := sp.ParseXMLResponse(doc, []string{s.RequestID}, sp.AcsURL)
					if err != nil || len(a.AttributeStatements[0].Attributes[3].Values) != n {
						b.Fatalf("ParseXMLResponse() = %v; want %d groups", err, n)
					}
				}
			})
		})
	}
}

// bareProvider returns the crewjam/saml ServiceProvider that package
// saml builds for acme's connection to e.IdP, with its clock at e.Now.
func bareProvider(tb testing.TB, e *env) *crewjam.ServiceProvider {
	tb.Helper()
	acs, err := url.Parse("https://gatehouse.example/saml/acme/acs")
	if err != nil {
		tb.Fatal(err)
	}
	cert := crewjam.X509Certificate{Data: base64.StdEncoding.EncodeToString(e.IdP.Certificate.Raw)}
	return &crewjam.ServiceProvider{
		EntityID: "https://gatehouse.example/saml/acme",
		AcsURL:   *acs,
		IDPMetadata: &crewjam.EntityDescriptor{EntityID: e.IdP.EntityID, IDPSSODescriptors: []crewjam.IDPSSODescriptor{{
			SSODescriptor: crewjam.SSODescriptor{RoleDescriptor: crewjam.RoleDescriptor{
				ProtocolSupportEnumeration: "urn:oasis:names:tc:SAML:2.0:protocol",
				KeyDescriptors: []crewjam.KeyDescriptor{{Use: "signing",
					KeyInfo: crewjam.KeyInfo{X509Data: crewjam.X509Data{X509Certificates: []crewjam.X509Certificate{cert}}}}},
			}},
			SingleSignOnServices: []crewjam.Endpoint{{Binding: crewjam.HTTPRedirectBinding, Location: testIdPSSOURL}},
		}}},
		Clock:                       dsig.NewFakeClockAt(e.Now),
		RejectSHA1Signatures:        true,
		RequireSignedResponseForCBC: true,
		RejectUnknownConditions:     true,
	}
}

// BenchmarkSync measures the JIT provisioning and group sync of one
// returning user, in their own transaction as in FinishSSO, with the same
// IdP groups (half of them naming a group of the enterprise, the other
// half nothing) in an enterprise of 2 and of 200 organizations of 50
// groups. The cost must not depend on the size of the enterprise.
func BenchmarkSync(b *testing.B) {
	for _, orgs := range []int{2, 200} {
		e := MustBenchEnv(b, orgs)
		var ent *gatehouse.Enterprise
		storetest.MustView(b, e.Store, func(tx store.Tx) {
			var err error
			if ent, err = tx.Enterprise("acme"); err != nil {
				b.Fatal(err)
			}
		})
		for _, n := range []int{10, 150} {
			b.Run(fmt.Sprintf("%dorgs/%dgroups", orgs, n), func(b *testing.B) {
				id := &gatehouse.Identity{Login: fmt.Sprintf("user-%d@acme.example", n), Name: "User", Groups: benchGroups(n, orgs)}
				if _, err := e.Login.SyncUser(context.Background(), ent, id, e.Now); err != nil {
					b.Fatal(err)
				}
				measureCPU(b, "syncs/cpu-s", func() {
					for b.Loop() {
						d, err := e.Login.SyncUser(context.Background(), ent, id, e.Now)
						if err != nil || !d.Empty() || len(d.Matched) != n/2 {
							b.Fatalf("SyncUser() = %+v, %v; want no change and %d groups", d, err, n/2)
						}
					}
				})
			})
		}
	}
}

// MustBenchEnv returns an env on SQLite whose enterprise acme, connected
// to testIdP, has orgs organizations acme-0, acme-1, ... of 50 groups
// each: Members, Owners and g-<org>-0 to g-<org>-47.
func MustBenchEnv(tb testing.TB, orgs int) *env {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "gatehouse.db")
	e := mustEmptyEnv(tb, path)
	e.dbPath = path
	ctx := context.Background()
	if err := e.Admin.CreateEnterprise(ctx, gatehouse.Operator, &gatehouse.Enterprise{Key: "acme", Name: "Acme"}); err != nil {
		tb.Fatal(err)
	}
	for o := range orgs {
		org := &gatehouse.Organization{Key: fmt.Sprintf("acme-%d", o), Name: fmt.Sprintf("Acme %d", o)}
		if err := e.Admin.CreateOrganization(ctx, gatehouse.Operator, org, "acme"); err != nil {
			tb.Fatal(err)
		}
		storetest.MustTx(tb, e.Store, func(tx store.Tx) {
			for g := range 48 {
				storetest.MustGroup(tb, tx, org.ID, fmt.Sprintf("g-%d-%d", o, g), gatehouse.PermissionScan)
			}
		})
	}
	MustPutSSO(tb, e, "acme")
	return e
}

// benchGroups returns n IdP group names: the even ones name a group of a
// MustBenchEnv enterprise of orgs organizations each, spread over them;
// the odd ones name nothing, as IdPs send many groups no organization uses.
func benchGroups(n, orgs int) []string {
	out := make([]string, n)
	for i := range out {
		if k := i / 2; i%2 == 0 {
			out[i] = fmt.Sprintf("g-%d-%d", k%orgs, k/orgs%48)
		} else {
			out[i] = fmt.Sprintf("idp-only-%d", i)
		}
	}
	return out
}

// measureCPU runs timed, the benchmark's loop, from a collected heap, and
// reports the process's CPU time per operation as cpu-ns/op and its
// inverse as unit.
func measureCPU(b *testing.B, unit string, timed func()) {
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	start := cpuTime(b)
	timed()
	cpu := cpuTime(b) - start
	b.StopTimer()
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), unit)
}

// cpuTime returns the user and system CPU time the process has used.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
