package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/client/clienttest"
	"github.com/agentbridge/agentbridge/protocol"
)

// wantShape is the run's sequence of event types, with agent_thinking runs collapsed.
const wantShape = "agent_started agent_thinking tool_executing tool_completed agent_thinking agent_completed"

func shape(events []protocol.Event) string {
	var types []string
	for _, ev := range events {
		if t := string(ev.Type); len(types) == 0 || types[len(types)-1] != t || t != "agent_thinking" {
			types = append(types, t)
		}
	}
	return strings.Join(types, " ")
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
