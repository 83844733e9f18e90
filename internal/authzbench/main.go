// Command authzbench measures token-authenticated access checks over
// loopback with wrk, beside a bare net/http handler in the same run, and
// prints a Markdown table of the medians for BENCHMARKS.md.
//
// It seeds a fresh database the way an enterprise looks in production (an
// SSO user with group permissions in an enterprise with an IP allow list,
// a scoped organization token), serves Gatehouse's handler with the
// server settings of "gatehouse serve" and a JSON logger, and runs wrk
// against GET /api/v1/authz/check with each token, and against a handler
// that writes the same answer without doing anything. Runs alternate
// between targets so that a change in the machine's load hits them alike.
//
//	go run ./internal/authzbench [-runs 5] [-duration 10s] [-connections 16] [-threads 2] [-writes 100] [-db postgres://...] [-cpuprofile cpu.out]
//
// It needs wrk (Debian: apt-get install -y wrk).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/login"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
	"github.com/gatehouse-sso/gatehouse/token"
	"github.com/gatehouse-sso/gatehouse/web"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "authzbench:", err)
		os.Exit(1)
	}
}

// A target is one URL wrk loads, with its bearer token.
type target struct {
	name, url, token string
}

// A result is what one wrk run measured.
type result struct {
	rps           float64
	p50, p99      time.Duration
	non2xx, total int
	// cpu is the CPU time this process (both servers; only one is loaded
	// at a time) spent per request: a figure that the machine's other
	// load disturbs less than the rate.
	cpu time.Duration
}

func run() error {
	runs := flag.Int("runs", 5, "wrk runs per target")
	duration := flag.Duration("duration", 10*time.Second, "length of each run")
	conns := flag.Int("connections", 16, "keep-alive connections")
	threads := flag.Int("threads", 2, "wrk threads")
	dsn := flag.String("db", "", "database; default a fresh SQLite file in a temporary folder")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the servers to this file")
	writes := flag.Int("writes", 0, "commits per second made beside the load, as logins and sessions make them")
	flag.Parse()
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is not installed: apt-get install -y wrk")
	}
	ctx := context.Background()
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "authzbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		*dsn = filepath.Join(dir, "gatehouse.db")
	}
	st, err := sqlstore.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	gate, bare, err := serveBoth(st)
	if err != nil {
		return err
	}
	personal, scoped, err := seed(ctx, st, gate)
	if err != nil {
		return err
	}
	if *writes > 0 {
		stop, err := commitEvery(ctx, st, time.Second/time.Duration(*writes))
		if err != nil {
			return err
		}
		defer stop()
	}
	const query = "/api/v1/authz/check?organization=acme-web&permission=scan&project=web-app"
	targets := []target{
		{"bare net/http handler", bare + query, ""},
		{"authz/check, personal token (gat_)", gate + query, personal},
		{"authz/check, organization token (gsot_)", gate + query, scoped},
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	results := make([][]result, len(targets))
	for i := range *runs {
		for j, t := range targets {
			r, err := runWrk(t, *threads, *conns, *duration)
			if err != nil {
				return err
			}
			if r.non2xx > 0 {
				return fmt.Errorf("%s: %d of %d answers were not 2xx", t.name, r.non2xx, r.total)
			}
			fmt.Fprintf(os.Stderr, "run %d %-42s %9.0f req/s  p50 %v  p99 %v  server CPU %v/req\n", i+1, t.name, r.rps, r.p50, r.p99, r.cpu)
			results[j] = append(results[j], r)
		}
	}
	printTable(os.Stdout, targets, results, *runs, *duration, *threads, *conns, *writes)
	return nil
}

// commitEvery commits a small write (a session's last-seen time, as every
// signed-in browser causes once a minute) every interval until stop.
func commitEvery(ctx context.Context, st store.Store, interval time.Duration) (stop func(), err error) {
	id := token.Hash("authzbench session")
	now := time.Now().UTC()
	err = st.Tx(ctx, func(tx store.Tx) error {
		u, err := tx.UserByLogin("carol-x1y2")
		if err != nil {
			return err
		}
		return tx.CreateSession(&gatehouse.Session{ID: id, UserID: u.ID, CSRF: "x", CreatedAt: now, LastSeenAt: now})
	})
	if err != nil {
		return nil, err
	}
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case at := <-t.C:
				if err := st.Tx(ctx, func(tx store.Tx) error { return tx.TouchSession(id, at.UTC()) }); err != nil {
					fmt.Fprintln(os.Stderr, "authzbench: commit:", err)
				}
			}
		}
	}()
	return func() { close(done); <-exited }, nil
}

// serveBoth serves Gatehouse over st and the bare handler, each on its own
// 127.0.0.1 port, and returns their base URLs.
func serveBoth(st store.Store) (gate, bare string, err error) {
	gateLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", err
	}
	bareLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", err
	}
	gate, bare = "http://"+gateLn.Addr().String(), "http://"+bareLn.Addr().String()
	base, err := url.Parse(gate)
	if err != nil {
		return "", "", err
	}
	srv, err := web.New(web.Config{BaseURL: base, OperatorToken: "bench-operator", Admin: admin.NewService(st, base),
		Login: login.NewService(st, base), Tokens: token.NewService(st), Ready: st.Ping,
		// The server logs each request as "gatehouse serve" does; only
		// the bytes go nowhere.
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		return "", "", err
	}
	go serve(gateLn, srv)
	go serve(bareLn, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "{\"allowed\":true}\n")
	}))
	return gate, bare, nil
}

// serve serves h on ln with the timeouts of "gatehouse serve".
func serve(ln net.Listener, h http.Handler) {
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	_ = s.Serve(ln)
}

// seed creates enterprise acme (allow list 127.0.0.0/8 and 203.0.113.0/24)
// with organizations acme-web and acme-data, groups with permissions,
// projects, and an SSO user in three of those groups and in acme-web's
// Owners, and returns that user's personal token and a token of acme-web
// scoped to web-app and docs.
func seed(ctx context.Context, st store.Store, gate string) (personal, scoped string, err error) {
	base, _ := url.Parse(gate)
	a := admin.NewService(st, base)
	op := gatehouse.Operator
	e := &gatehouse.Enterprise{Key: "acme", Name: "Acme", IPAllowList: []string{"127.0.0.0/8", "203.0.113.0/24"}}
	if err := a.CreateEnterprise(ctx, op, e); err != nil {
		return "", "", err
	}
	for _, org := range []string{"acme-web", "acme-data"} {
		if err := a.CreateOrganization(ctx, op, &gatehouse.Organization{Key: org, Name: org}, "acme"); err != nil {
			return "", "", err
		}
		for _, g := range []gatehouse.Group{
			{Name: "Developers", Permissions: []gatehouse.Permission{gatehouse.PermissionScan, gatehouse.PermissionProvisioning}},
			{Name: "Gates", Permissions: []gatehouse.Permission{gatehouse.PermissionGateAdmin}},
		} {
			if err := a.CreateGroup(ctx, op, org, &g); err != nil {
				return "", "", err
			}
		}
		for _, p := range []string{"web-app", "web-api", "docs"} {
			if err := a.CreateProject(ctx, op, org, &gatehouse.Project{Key: p, Name: p}); err != nil {
				return "", "", err
			}
		}
	}
	carol := &gatehouse.User{Login: "carol-x1y2", Name: "Carol", Kind: gatehouse.UserSSO, EnterpriseID: e.ID,
		ExternalID: "carol@acme.example", Active: true, CreatedAt: time.Now().UTC()}
	if err := st.Tx(ctx, func(tx store.Tx) error { return tx.CreateUser(carol) }); err != nil {
		return "", "", err
	}
	for _, m := range []struct{ org, group string }{{"acme-web", "Developers"}, {"acme-web", "Gates"}, {"acme-data", "Developers"}, {"acme-web", "Owners"}} {
		if err := addMember(ctx, a, m.org, m.group, carol.Login); err != nil {
			return "", "", err
		}
	}
	k := token.NewService(st)
	p, err := k.CreatePersonalToken(ctx, gatehouse.UserActor(carol), "bench", time.Time{})
	if err != nil {
		return "", "", err
	}
	s, err := k.CreateOrganizationToken(ctx, gatehouse.UserActor(carol), "acme-web",
		token.OrganizationTokenInput{Name: "bench", Projects: []string{"web-app", "docs"}})
	if err != nil {
		return "", "", err
	}
	for _, secret := range []string{p.Secret, s.Secret} {
		ok, err := k.CheckToken(ctx, secret, netip.MustParseAddr("127.0.0.1"), "acme-web", gatehouse.PermissionScan, "web-app")
		if err != nil || !ok {
			return "", "", fmt.Errorf("seeded token not allowed: %v, %v", ok, err)
		}
	}
	return p.Secret, s.Secret, nil
}

// addMember puts the user with login in the organization's group.
func addMember(ctx context.Context, a *admin.Service, org, group, login string) error {
	gs, err := a.ListGroups(ctx, gatehouse.Operator, org)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(gs, func(g *gatehouse.Group) bool { return g.Name == group })
	if i < 0 {
		return fmt.Errorf("no group %s in %s", group, org)
	}
	return a.AddGroupMember(ctx, gatehouse.Operator, gs[i].ID, login)
}

var (
	rpsLine     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latencyLine = regexp.MustCompile(`^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	totalLine   = regexp.MustCompile(`^\s*([0-9]+) requests in`)
	non2xxLine  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)
)

// runWrk runs wrk once against t and parses what it printed.
func runWrk(t target, threads, conns int, d time.Duration) (result, error) {
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", fmt.Sprintf("%ds", int(d.Seconds())), "--latency"}
	if t.token != "" {
		args = append(args, "-H", "Authorization: Bearer "+t.token)
	}
	before := cpuTime()
	out, err := exec.Command("wrk", append(args, t.url)...).CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	spent := cpuTime() - before
	var r result
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		line := sc.Text()
		if m := rpsLine.FindStringSubmatch(line); m != nil {
			r.rps, _ = strconv.ParseFloat(m[1], 64)
		}
		if m := latencyLine.FindStringSubmatch(line); m != nil {
			v, _ := time.ParseDuration(m[2] + strings.Replace(m[3], "us", "µs", 1))
			if m[1] == "50" {
				r.p50 = v
			} else {
				r.p99 = v
			}
		}
		if m := totalLine.FindStringSubmatch(line); m != nil {
			r.total, _ = strconv.Atoi(m[1])
		}
		if m := non2xxLine.FindStringSubmatch(line); m != nil {
			r.non2xx, _ = strconv.Atoi(m[1])
		}
	}
	if r.rps == 0 || r.p99 == 0 || r.total == 0 {
		return result{}, fmt.Errorf("cannot read wrk's output:\n%s", out)
	}
	r.cpu = spent / time.Duration(r.total)
	return r, nil
}

// cpuTime returns the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// printTable writes the medians of each target's runs as Markdown.
func printTable(w io.Writer, targets []target, results [][]result, runs int, d time.Duration, threads, conns, writes int) {
	fmt.Fprintf(w, "Medians of %d runs of `wrk -t%d -c%d -d%ds --latency`, alternating targets, with %d commits/s beside.\n\n",
		runs, threads, conns, int(d.Seconds()), writes)
	fmt.Fprintln(w, "| target | requests/s | of bare | p50 | p99 | server CPU/request |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	bare := median(results[0], func(r result) float64 { return r.rps })
	for i, t := range targets {
		rps := median(results[i], func(r result) float64 { return r.rps })
		p50 := time.Duration(median(results[i], func(r result) float64 { return float64(r.p50) }))
		p99 := time.Duration(median(results[i], func(r result) float64 { return float64(r.p99) }))
		cpu := time.Duration(median(results[i], func(r result) float64 { return float64(r.cpu) }))
		fmt.Fprintf(w, "| %s | %.0f | %.0f%% | %v | %v | %v |\n", t.name, rps, 100*rps/bare, p50.Round(time.Microsecond),
			p99.Round(time.Microsecond), cpu.Round(100*time.Nanosecond))
	}
}

// median returns the median of field over rs.
func median(rs []result, field func(result) float64) float64 {
	vs := make([]float64, len(rs))
	for i, r := range rs {
		vs[i] = field(r)
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return vs[len(vs)/2]
}
