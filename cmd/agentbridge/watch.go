package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/agentbridge/agentbridge/client/subscribe"
	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/protocol"
)

const watchUsage = `usage: agentbridge watch --user ID [--after N | --run R] [--json] [--url URL] [--token T]

Follows a user's event stream in the terminal, one line per event (message deltas grow their
message's line), and resumes by itself after a dropped connection: on every reconnect it asks
for the events after the last one it has. --run replays one run and follows it. Ctrl-C exits.
Status (connects, drops, gaps) goes to stderr.

`

func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, jsonOut, err := parseWatchFlags(args, stderr)
	if err != nil {
		return err
	}
	p := &watchPrinter{out: stdout, status: stderr, json: jsonOut, run: cfg.RunID}
	err = subscribe.Run(ctx, cfg, p.update)
	p.finish()
	if errors.Is(err, context.Canceled) {
		return nil // Ctrl-C
	}
	return err
}

func parseWatchFlags(args []string, stderr io.Writer) (subscribe.Config, bool, error) {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "user whose stream to follow; a development token is minted for it")
	token := fs.String("token", "", "bearer token to connect with instead of a minted one")
	secret := fs.String("secret", devSecret(), "HS256 secret for minted tokens ($AGENTBRIDGE_DEV_SECRET)")
	url := fs.String("url", "ws://127.0.0.1:3001/dev", "WebSocket URL of the stack")
	after := fs.Int64("after", 0, "start after this offset; 0 is everything the stream still holds")
	run := fs.String("run", "", "replay this run, then follow its live events")
	jsonOut := fs.Bool("json", false, "print each envelope as received, one JSON document per line")
	ping := fs.Duration("ping", 4*time.Minute, "keep-alive interval ({\"action\":\"ping\"})")
	fs.Usage = func() {
		fmt.Fprint(stderr, watchUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return subscribe.Config{}, false, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var problem string
	switch {
	case fs.NArg() > 0:
		problem = fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case *token == "" && *user == "":
		problem = "--user or --token is required"
	case *token != "" && *user != "":
		problem = "--user and --token exclude each other"
	case set["after"] && *run != "":
		problem = "--after and --run exclude each other"
	case *after < 0:
		problem = "--after must be >= 0"
	}
	if problem == "" && *user != "" {
		if err := protocol.ValidateID(*user); err != nil {
			problem = "--user: " + err.Error()
		}
	}
	if problem != "" {
		return subscribe.Config{}, false, usageError(fs, stderr, problem)
	}
	cfg := subscribe.Config{URL: *url, After: *after, RunID: *run, PingInterval: *ping, Token: subscribe.StaticToken(*token)}
	if *token == "" {
		cfg.Token = mintToken([]byte(*secret), *user)
	}
	return cfg, *jsonOut, nil
}

// mintToken signs a fresh development token for every dial, so a long watch outlives any
// one token's expiry.
func mintToken(secret []byte, user string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) {
		return auth.SignDevToken(secret, auth.DevToken{UserID: user, TTL: time.Hour})
	}
}
