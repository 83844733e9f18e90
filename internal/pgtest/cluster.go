package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
)

// binDirs are searched, in order, for initdb and pg_ctl.
var binDirs = []string{"/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/14/bin"}

// A cluster is a throwaway PostgreSQL server in a temporary directory.
type cluster struct {
	dir    string // holds data/, the unix socket and the log
	bin    string // directory of initdb and pg_ctl
	asUser []string
	url    string
}

// startCluster initialises and starts a cluster listening on 127.0.0.1 and
// a free port. Durability is off: the data dies with the test binary.
func startCluster() (*cluster, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gatehouse-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &cluster{dir: dir, bin: bin}
	if err := c.runAsPostgres(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	err = c.run("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	if err == nil {
		err = c.start()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return c, nil
}

// start starts the server on a free port. Another test binary may take
// the port between the look-up and the start, so it tries a few.
func (c *cluster) start() error {
	var err error
	for range 3 {
		var port int
		if port, err = freePort(); err != nil {
			return err
		}
		opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500", port, c.dir)
		err = c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-o", opts, "-w", "-t", "60", "start")
		if err == nil {
			c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
			return nil
		}
	}
	return err
}

func (c *cluster) data() string { return filepath.Join(c.dir, "data") }

// runAsPostgres makes the cluster run as the postgres user when the test
// runs as root, which PostgreSQL refuses to run as.
func (c *cluster) runAsPostgres() error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root and there is no postgres user to run the cluster as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(c.dir, uid, gid); err != nil {
		return err
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		return fmt.Errorf("running as root and runuser is missing: %w", err)
	}
	c.asUser = []string{runuser, "-u", "postgres", "--"}
	return nil
}

// run runs one of the PostgreSQL programs.
func (c *cluster) run(program string, args ...string) error {
	argv := append(append(c.asUser[:len(c.asUser):len(c.asUser)], filepath.Join(c.bin, program)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w\n%s", program, err, out.String())
	}
	return nil
}

// stop shuts the cluster down and removes its files.
func (c *cluster) stop() error {
	err := c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop")
	return errors.Join(err, os.RemoveAll(c.dir))
}

func findBinaries() (string, error) {
	for _, dir := range binDirs {
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	if path, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(path), nil
	}
	return "", errors.New("no initdb and pg_ctl in /usr/lib/postgresql/*/bin or on PATH")
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
