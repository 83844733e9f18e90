// Command gatehouse runs Gatehouse: its server (serve), a one-command
// demonstration with a development IdP (demo), database migrations
// (migrate), and administration commands that call the same services as
// the REST API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "gatehouse:", err)
		}
		os.Exit(2)
	}
}

const usage = `Gatehouse: enterprise SAML single sign-on with JIT provisioning and group sync.

Usage:
  gatehouse serve [flags]      run the server
  gatehouse demo [flags]       run the server with a development IdP and sample data
  gatehouse migrate [flags]    apply database migrations and exit

Administration (the same services as the REST API, acting as the operator):
  gatehouse enterprise create|list|add-admin|set-ip-allow-list
  gatehouse org create|list|add-member
  gatehouse group create|list|add-member
  gatehouse project create|list
  gatehouse sso set|show|refresh|delete
  gatehouse user create|list

Run "gatehouse <command> -h" for the flags of a command. A flag whose help
names an environment variable (--db: GATEHOUSE_DB) can be set there too.
The operator token is GATEHOUSE_ADMIN_TOKEN.
`

// run runs the command in args.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stderr)
	case "demo":
		return runDemo(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "enterprise", "org", "group", "project", "sso", "user":
		return runAdmin(ctx, cmd, rest, stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}
