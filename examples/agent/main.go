// Command agent is a simulated AI agent that streams one realistic run to a user's browser
// through agentbridge: a question, streamed reasoning, a web search, and an answer streamed as
// a message.
//
//	go run ./examples/agent --user alice            # against `make dev` on 127.0.0.1:3001
//	go run ./examples/agent --user alice --batch    # the same run in far fewer invokes
//	go run ./examples/agent --endpoint ""           # against AWS, as the SDK is configured
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/agentbridge/agentbridge/client"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("agent", flag.ContinueOnError)
	user := fs.String("user", "alice", "user whose browser receives the run")
	endpoint := fs.String("endpoint", "http://127.0.0.1:3001", `Lambda Invoke API endpoint; "" for AWS`)
	function := fs.String("function", client.DefaultFunctionName, "emit function name")
	batch := fs.Bool("batch", false, "batch events: up to 20 per invoke, sent within 100ms")
	pause := fs.Duration("pause", 400*time.Millisecond, "pause between steps of the simulated run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	lc, err := client.NewLambdaClient(ctx, client.Target{Endpoint: *endpoint})
	if err != nil {
		return err
	}
	cfg := client.Config{}
	if *batch {
		cfg.BatchSize, cfg.BatchDelay = 20, 100*time.Millisecond
	}
	c := client.New(lc, *function, cfg)
	runID := fmt.Sprintf("run-%d", time.Now().UnixMilli())
	r := c.Run(*user, runID, client.RunOptions{ThreadID: "thread-demo", AgentName: "researcher"})
	fmt.Fprintf(out, "run %s for user %s\n", runID, *user)
	err = play(ctx, r, *pause, out)
	if cerr := r.Close(ctx); err == nil {
		err = cerr
	}
	st := c.Stats()
	fmt.Fprintf(out, "%d events in %d invokes; delivered %d messages\n", st.Events, st.Invokes, st.Delivered)
	return err
}

const (
	question = "Which is larger by area, Australia or the contiguous United States?"
	answer   = "The contiguous United States is slightly larger: about 8.08 million km² against Australia's 7.69 million km²."
)

// play performs the simulated run on r, printing each step to out.
func play(ctx context.Context, r *client.Run, pause time.Duration, out io.Writer) error {
	say := func(format string, args ...any) { fmt.Fprintf(out, "  -> "+format+"\n", args...) }

	say("agent_started")
	if _, err := r.Started(ctx, map[string]string{"question": question}); err != nil {
		return err
	}
	if err := stream(ctx, r, "I should compare the two areas. Let me search for current figures.", pause, say); err != nil {
		return err
	}

	args := map[string]any{"query": "area of Australia vs contiguous United States km2", "max_results": 3}
	say("tool_executing web_search")
	if _, err := r.ToolExecuting(ctx, "web_search", "call_1", args); err != nil {
		return err
	}
	if err := wait(ctx, 2*pause); err != nil {
		return err
	}
	result := map[string]any{"results": []map[string]string{
		{"title": "Australia - area", "snippet": "Total area: 7,688,287 km²"},
		{"title": "Contiguous United States", "snippet": "Area: 8,080,470 km²"},
	}}
	say("tool_completed web_search")
	if _, err := r.ToolCompleted(ctx, "web_search", "call_1", result, nil); err != nil {
		return err
	}

	if err := stream(ctx, r, "The contiguous US is about 8.08 million km², Australia about 7.69 million km².", pause, say); err != nil {
		return err
	}
	if err := streamAnswer(ctx, r, answer, pause, say); err != nil {
		return err
	}
	say("agent_completed")
	_, err := r.Completed(ctx, map[string]string{"answer": answer})
	return err
}

// stream sends text as agent_thinking chunks of a few words, the way a model streams tokens.
func stream(ctx context.Context, r *client.Run, text string, pause time.Duration, say func(string, ...any)) error {
	words := strings.Fields(text)
	for i := 0; i < len(words); i += 3 {
		chunk := strings.Join(words[i:min(i+3, len(words))], " ") + " "
		say("agent_thinking %q", chunk)
		if _, err := r.Thinking(ctx, chunk); err != nil {
			return err
		}
		if err := wait(ctx, pause/4); err != nil {
			return err
		}
	}
	return wait(ctx, pause)
}

// streamAnswer writes the answer word by word into a streamed message, the way a model
// generates it; the client merges the words into a few message_delta events.
func streamAnswer(ctx context.Context, r *client.Run, answer string, pause time.Duration, say func(string, ...any)) error {
	say("message_started answer")
	m, err := r.Message(ctx, "answer-1", client.MessageOptions{})
	if err != nil {
		return err
	}
	for i, word := range strings.Fields(answer) {
		if i > 0 {
			word = " " + word
		}
		if _, err := m.WriteString(word); err != nil {
			return err
		}
		if err := wait(ctx, pause/16); err != nil {
			return err
		}
	}
	say("message_completed answer")
	return m.Close()
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
