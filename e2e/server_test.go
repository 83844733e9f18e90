package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// operatorToken is GATEHOUSE_ADMIN_TOKEN of every server the tests start.
const operatorToken = "e2e-operator-token-0123456789"

// Time limits of a server's life.
const (
	startTimeout = 20 * time.Second
	stopTimeout  = 15 * time.Second
)

// A Server is a running "gatehouse serve" process.
type Server struct {
	// URL is where the process listens, http://127.0.0.1:PORT.
	URL string
	// DB is its --db value.
	DB string

	logPath string
	cmd     *exec.Cmd
	exited  chan struct{} // closed when the process has exited
}

// MustServe starts "gatehouse serve" on db and a free 127.0.0.1 port, with
// the extra flags given, and waits until /readyz answers. When tb ends it
// stops the server with SIGTERM and fails tb unless it exits 0 (a graceful
// shutdown) and logged no error; on failure it logs the server's JSON log.
func MustServe(tb testing.TB, db string, flags ...string) *Server {
	tb.Helper()
	var err error
	// Another process may take the free port before gatehouse listens on
	// it: then try another port.
	for range 3 {
		var s *Server
		if s, err = serve(tb, db, flags); err == nil {
			return s
		}
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	tb.Fatalf("start gatehouse serve: %v", err)
	return nil
}

// serve starts one server and registers its stop, or returns why it did not start.
func serve(tb testing.TB, db string, flags []string) (*Server, error) {
	tb.Helper()
	addr := freeAddr(tb)
	s := &Server{URL: "http://" + addr, DB: db, logPath: filepath.Join(tb.TempDir(), "gatehouse.log"), exited: make(chan struct{})}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer logFile.Close()
	// The IdPs under test serve their metadata on loopback.
	args := append([]string{"serve", "--addr", addr, "--db", db, "--allow-private-metadata-urls"}, flags...)
	s.cmd = exec.Command(binary, args...)
	s.cmd.Env = append(os.Environ(), "GATEHOUSE_ADMIN_TOKEN="+operatorToken)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", binary, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(); err != nil {
		s.kill()
		return nil, fmt.Errorf("%w\n%s", err, s.logText())
	}
	tb.Cleanup(func() { s.stop(tb) })
	return s, nil
}

// freeAddr returns a 127.0.0.1 address whose port was free a moment ago.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return "127.0.0.1:" + strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// waitReady polls /readyz until it answers 200 OK, the process exits, or
// startTimeout passes.
func (s *Server) waitReady() error {
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.After(startTimeout)
	for {
		resp, err := client.Get(s.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/readyz answered %s", resp.Status)
		}
		select {
		case <-s.exited:
			return fmt.Errorf("gatehouse serve exited before it was ready: %v", s.cmd.ProcessState)
		case <-deadline:
			return fmt.Errorf("gatehouse serve not ready after %v: %w", startTimeout, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and checks that the server shut down cleanly and
// logged no error.
func (s *Server) stop(tb testing.TB) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		if code := s.cmd.ProcessState.ExitCode(); code != 0 {
			tb.Errorf("gatehouse serve on %s exited with %v after SIGTERM; want status 0 (graceful shutdown)", s.URL, s.cmd.ProcessState)
		}
	case <-time.After(stopTimeout):
		s.kill()
		tb.Errorf("gatehouse serve on %s did not stop within %v of SIGTERM", s.URL, stopTimeout)
	}
	for _, line := range strings.Split(s.logText(), "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			tb.Errorf("gatehouse serve on %s logged an error: %s", s.URL, line)
		}
	}
	if tb.Failed() {
		tb.Logf("log of gatehouse serve on %s:\n%s", s.URL, s.logText())
	}
}

func (s *Server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// logText returns what the server logged so far.
func (s *Server) logText() string {
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(data)
}

// MustAPI sends an API request with the operator token and a JSON body
// (none if body is nil), fails tb unless the answer has status want, and
// decodes its JSON body into out unless out is nil.
func (s *Server) MustAPI(tb testing.TB, method, path string, body any, want int, out any) {
	tb.Helper()
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			tb.Fatalf("%s %s: %v", method, path, err)
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.URL+path, reader)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+operatorToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read the answer: %v", method, path, err)
	}
	if resp.StatusCode != want {
		tb.Fatalf("%s %s = %s %s; want status %d", method, path, resp.Status, data, want)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			tb.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

// noRedirect is an http.Client option that returns redirects instead of
// following them, so that a test sees where the server sends the browser.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
