package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/gatehouse-sso/gatehouse"
	"github.com/gatehouse-sso/gatehouse/admin"
	"github.com/gatehouse-sso/gatehouse/store"
	"github.com/gatehouse-sso/gatehouse/store/sqlstore"
)

// A cliCommand is one administration command, such as "group create".
type cliCommand struct {
	summary string
	// flags registers the command's flags and returns the function that
	// runs it once they are parsed.
	flags func(fs *flag.FlagSet) func(c *cli) error
}

// cli is what an administration command runs with.
type cli struct {
	ctx    context.Context
	admin  *admin.Service
	stdin  io.Reader
	stdout io.Writer
}

// table writes rows as aligned columns under header.
func (c *cli) table(header string, rows [][]string) {
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

// runAdmin handles "gatehouse <noun> <verb> [flags]".
func runAdmin(ctx context.Context, noun string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	verbs := adminCommands[noun]
	if len(args) == 0 || verbs[args[0]].flags == nil {
		fmt.Fprintf(stderr, "Usage: gatehouse %s <command> [flags]\n\nCommands:\n", noun)
		for _, v := range slices.Sorted(maps.Keys(verbs)) {
			fmt.Fprintf(stderr, "  %-12s %s\n", v, verbs[v].summary)
		}
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			return flag.ErrHelp
		}
		return fmt.Errorf("unknown command %q %q", noun, args[0])
	}
	fs := flag.NewFlagSet(noun+" "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	cfg.bindDBFlag(fs)
	fs.StringVar(&cfg.BaseURL, "base-url", env("GATEHOUSE_BASE_URL", "http://127.0.0.1:8080"), "public URL of Gatehouse, for the SSO URLs shown (GATEHOUSE_BASE_URL)")
	do := verbs[args[0]].flags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	base, err := baseURL(cfg.BaseURL, nil)
	if err != nil {
		return err
	}
	st := &lazyStore{dsn: cfg.DB}
	defer st.Close()
	err = do(&cli{ctx: ctx, admin: admin.NewService(st, base), stdin: stdin, stdout: stdout})
	if err != nil && gatehouse.ErrorCode(err) != gatehouse.EINTERNAL {
		return errors.New(gatehouse.ErrorMessage(err))
	}
	return err
}

// A lazyStore opens the database at its first transaction, so that a
// command refused before it reads anything (a missing flag, no password)
// creates no database file and runs no migration.
type lazyStore struct {
	dsn string
	db  *sqlstore.DB
}

var _ store.Store = (*lazyStore)(nil)

// open opens the database once.
func (l *lazyStore) open(ctx context.Context) (*sqlstore.DB, error) {
	if l.db == nil {
		db, err := sqlstore.Open(ctx, l.dsn)
		if err != nil {
			return nil, err
		}
		l.db = db
	}
	return l.db, nil
}

// Tx opens the database if need be and runs fn in a transaction.
func (l *lazyStore) Tx(ctx context.Context, fn func(store.Tx) error) error {
	db, err := l.open(ctx)
	if err != nil {
		return err
	}
	return db.Tx(ctx, fn)
}

// View opens the database if need be and runs fn in a read-only transaction.
func (l *lazyStore) View(ctx context.Context, fn func(store.Tx) error) error {
	db, err := l.open(ctx)
	if err != nil {
		return err
	}
	return db.View(ctx, fn)
}

// TokenCheck opens the database if need be and asks it.
func (l *lazyStore) TokenCheck(ctx context.Context, hash []byte, organization string, perm gatehouse.Permission, project string) (*store.TokenCheck, error) {
	db, err := l.open(ctx)
	if err != nil {
		return nil, err
	}
	return db.TokenCheck(ctx, hash, organization, perm, project)
}

// Ping opens the database if need be and pings it.
func (l *lazyStore) Ping(ctx context.Context) error {
	db, err := l.open(ctx)
	if err != nil {
		return err
	}
	return db.Ping(ctx)
}

// Close closes the database if it was opened.
func (l *lazyStore) Close() error {
	if l.db == nil {
		return nil
	}
	return l.db.Close()
}

// required refuses empty values of the named flags.
func required(flags map[string]*string) error {
	for _, name := range slices.Sorted(maps.Keys(flags)) {
		if *flags[name] == "" {
			return fmt.Errorf("flag --%s is required", name)
		}
	}
	return nil
}

// readPassword reads a password from GATEHOUSE_USER_PASSWORD or, failing
// that, from the first line of stdin, so that it never shows in a process list.
func readPassword(stdin io.Reader) (string, error) {
	if pw := os.Getenv("GATEHOUSE_USER_PASSWORD"); pw != "" {
		return pw, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	if line = strings.TrimRight(line, "\r\n"); line == "" {
		return "", errors.New("give the password on stdin or in GATEHOUSE_USER_PASSWORD")
	}
	return line, nil
}

// splitList splits a comma-separated flag value, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
