package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/protocol"
)

// emitFlags are the parsed flags of `agentbridge emit`.
type emitFlags struct {
	user, eventType, run, thread, agent, data string
	seq                                       *int64
	file                                      string
	batch                                     int
	target                                    lambdaTarget
	function                                  string
	async                                     bool
}

const emitUsage = `usage:
  agentbridge emit --user alice --type agent_thinking --run r1 --data '{"text":"hi"}'
  agentbridge emit --file events.jsonl [--user alice] [--batch 100]

Sends agent events to a user's live connections by invoking the emit function, on the local
host (agentbridge dev) by default or on AWS with --aws. A single event prints the delivery
report; a file prints a summary and exits 1 if any invoke failed.

`

func runEmit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, fs, err := parseEmitFlags(args, stderr)
	if err != nil {
		return err
	}
	lc, err := newLambdaClient(ctx, f.target)
	if err != nil {
		return err
	}
	c := client.New(lc, f.function, client.Config{Async: f.async})
	if f.file != "" {
		return emitFile(ctx, c, f, stdout, stderr)
	}
	ev, err := f.event()
	if err != nil {
		return usageError(fs, stderr, err.Error())
	}
	return emitOne(ctx, c, f.user, ev, stdout)
}

func parseEmitFlags(args []string, stderr io.Writer) (*emitFlags, *flag.FlagSet, error) {
	f := &emitFlags{}
	fs := flag.NewFlagSet("emit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), emitUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.user, "user", "", "user to deliver to (the default user_id for --file lines)")
	fs.StringVar(&f.eventType, "type", "", "event type: agent_started, agent_thinking, tool_executing, tool_completed, agent_completed or agent_error")
	fs.StringVar(&f.run, "run", "", "run id")
	fs.StringVar(&f.thread, "thread", "", "thread id (optional)")
	fs.StringVar(&f.agent, "agent", "", "agent name (optional)")
	fs.StringVar(&f.data, "data", "", "payload, a JSON object (default {})")
	fs.Func("seq", "sequence number within the run (optional, >= 0)", func(s string) error {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("want an integer >= 0")
		}
		f.seq = &n
		return nil
	})
	fs.StringVar(&f.file, "file", "", "send the events of a JSON Lines file (- for stdin) instead of one event")
	fs.IntVar(&f.batch, "batch", 100, "events per invoke with --file, 1 to 500")
	fs.StringVar(&f.function, "function", client.DefaultFunctionName, "emit function name")
	fs.BoolVar(&f.async, "async", false, "invoke asynchronously (invocation type Event): no delivery report")
	f.target.register(fs)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, fs, err
		}
		return nil, fs, errUsage
	}
	if err := f.check(fs); err != nil {
		return nil, fs, usageError(fs, stderr, err.Error())
	}
	return f, fs, nil
}

// check refuses flag combinations that cannot mean anything.
func (f *emitFlags) check(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if f.batch < 1 || f.batch > protocol.MaxEventsPerRequest {
		return fmt.Errorf("--batch must be 1 to %d", protocol.MaxEventsPerRequest)
	}
	if err := f.target.check(fs); err != nil {
		return err
	}
	if f.file != "" {
		for _, name := range []string{"type", "run", "thread", "agent", "data", "seq"} {
			if flagSet(fs, name) {
				return fmt.Errorf("--%s cannot be combined with --file", name)
			}
		}
		return nil
	}
	for _, req := range []struct{ name, value string }{{"user", f.user}, {"type", f.eventType}, {"run", f.run}} {
		if req.value == "" {
			return fmt.Errorf("--%s is required (or use --file)", req.name)
		}
	}
	return nil
}

// event builds the single event the flags describe and checks it like a send would.
func (f *emitFlags) event() (protocol.Event, error) {
	ev := protocol.Event{
		Type: protocol.EventType(f.eventType), RunID: f.run, ThreadID: f.thread,
		AgentName: f.agent, Seq: f.seq,
	}
	if f.data != "" {
		ev.Payload = json.RawMessage(f.data)
	}
	return ev, client.Validate(f.user, ev)
}

// emitOne sends one event and prints its delivery report.
func emitOne(ctx context.Context, c *client.Client, user string, ev protocol.Event, stdout io.Writer) error {
	rep, err := c.Send(ctx, user, ev)
	if err != nil {
		return err
	}
	if rep == nil {
		fmt.Fprintln(stdout, `{"accepted":true}`)
		return nil
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// usageError explains a bad invocation on stderr and returns errUsage (exit code 2).
func usageError(fs *flag.FlagSet, stderr io.Writer, msg string) error {
	fmt.Fprintf(stderr, "agentbridge %s: %s\n\n", fs.Name(), msg)
	fs.SetOutput(stderr)
	fs.Usage()
	return errUsage
}

// isTerminal reports whether w is a terminal, where a progress line may be redrawn in place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
