package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// runCLI runs "gatehouse args..." with stdin and returns its stdout and
// stderr and whether it exited 0.
func runCLI(tb testing.TB, stdin string, args ...string) (stdout, stderr string, ok bool) {
	tb.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = os.Environ()
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		tb.Fatalf("run gatehouse %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), err == nil
}

// MustCLI runs "gatehouse args..." with stdin, fails tb unless it exits 0,
// and returns its stdout.
func MustCLI(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	stdout, stderr, ok := runCLI(tb, stdin, args...)
	if !ok {
		tb.Fatalf("gatehouse %s failed:\n%s%s", strings.Join(args, " "), stdout, stderr)
	}
	return stdout
}

// MustCLITable runs a list command and returns its table, one map per row
// from column header to cell.
func MustCLITable(tb testing.TB, args ...string) []map[string]string {
	tb.Helper()
	return parseTable(MustCLI(tb, "", args...))
}

// parseTable reads the aligned columns the list commands print: a column
// starts where a header word follows two spaces (tabwriter's padding), and a
// cell runs to the next column.
func parseTable(out string) []map[string]string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	header := lines[0]
	starts := []int{0}
	for i := 2; i < len(header); i++ {
		if header[i] != ' ' && header[i-1] == ' ' && header[i-2] == ' ' {
			starts = append(starts, i)
		}
	}
	cell := func(line string, c int) string {
		start, end := starts[c], len(line)
		if c+1 < len(starts) {
			end = min(starts[c+1], len(line))
		}
		if start >= end {
			return ""
		}
		return strings.TrimSpace(line[start:end])
	}
	var rows []map[string]string
	for _, line := range lines[1:] {
		row := map[string]string{}
		for c := range starts {
			row[cell(header, c)] = cell(line, c)
		}
		rows = append(rows, row)
	}
	return rows
}
