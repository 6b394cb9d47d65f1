// Command agentbridge runs the agentbridge stack locally and helps agents and developers use it.
//
//	agentbridge dev      run the whole stack from template.yaml
//	agentbridge token    print a development token the local stack accepts
//	agentbridge invoke   run one function once with an event file
//	agentbridge emit     send agent events to a user's connections
//	agentbridge watch    follow a user's event stream in the terminal
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

// command is one subcommand: it parses its own flags from args and reports failure as an error.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"dev", "run the whole stack locally from template.yaml", runDev},
	{"token", "print a development token the local stack accepts", runToken},
	{"invoke", "run one function once with an event, like sam local invoke", runInvoke},
	{"emit", "send agent events to a user's live connections", runEmit},
	{"watch", "follow a user's event stream in the terminal, resuming after drops", runWatch},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "agentbridge %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "agentbridge: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage marks an error already explained to the user by a flag set's usage output.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: agentbridge <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'agentbridge <command> -h' for a command's flags.")
}

// parseFlags parses args into fs; a bad flag was already explained by fs, so it becomes
// errUsage, while -h stays flag.ErrHelp (exit 0).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}
