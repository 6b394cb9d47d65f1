package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/client/clienttest"
	"github.com/agentbridge/agentbridge/protocol"
)

// wantShape is the run's sequence of event types, with runs of agent_thinking and of
// message_delta collapsed.
const wantShape = "agent_started agent_thinking tool_executing tool_completed agent_thinking " +
	"message_started message_delta message_completed agent_completed"

func shape(events []protocol.Event) string {
	var types []string
	for _, ev := range events {
		t := string(ev.Type)
		repeatable := t == "agent_thinking" || t == "message_delta"
		if len(types) == 0 || types[len(types)-1] != t || !repeatable {
			types = append(types, t)
		}
	}
	return strings.Join(types, " ")
}

// answerText concatenates the run's message deltas.
func answerText(t *testing.T, events []protocol.Event) string {
	t.Helper()
	var b strings.Builder
	for _, ev := range events {
		if ev.Type == protocol.MessageDelta {
			var p protocol.MessageDeltaPayload
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				t.Fatal(err)
			}
			b.WriteString(p.Delta)
		}
	}
	return b.String()
}

func TestPlay(t *testing.T) {
	for _, cfg := range []client.Config{{}, {BatchSize: 20, BatchDelay: time.Millisecond}} {
		t.Run(fmt.Sprintf("batch=%d", cfg.BatchSize), func(t *testing.T) {
			srv := clienttest.NewServer(nil)
			defer srv.Close()
			c := client.New(srv.LambdaClient(), "", cfg)
			r := c.Run("alice", "run-1", client.RunOptions{AgentName: "researcher"})
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			if err := play(ctx, r, 0, io.Discard); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(ctx); err != nil {
				t.Fatal(err)
			}
			events := srv.Events()
			if got := shape(events); got != wantShape {
				t.Errorf("event types %q, want %q", got, wantShape)
			}
			if got, want := answerText(t, events), strings.Join(strings.Fields(answer), " "); got != want {
				t.Errorf("streamed answer %q, want %q", got, want)
			}
			for i, ev := range events {
				if ev.Seq == nil || *ev.Seq != int64(i) {
					t.Fatalf("event %d has seq %v", i, ev.Seq)
				}
			}
			if cfg.BatchSize > 0 && len(srv.Invokes()) >= len(events) {
				t.Errorf("batching sent %d events in %d invokes", len(events), len(srv.Invokes()))
			}
		})
	}
}

// TestRunAgainstServer runs the command's wiring end to end against the stand-in.
func TestRunAgainstServer(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	srv := clienttest.NewServer(nil)
	defer srv.Close()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := run(ctx, []string{"--endpoint", srv.URL, "--batch", "--pause", "0"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	n := len(srv.Events())
	if want := fmt.Sprintf("%d events in %d invokes", n, len(srv.Invokes())); !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out.String(), want)
	}
}
