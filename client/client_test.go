package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/client/clienttest"
	"github.com/agentbridge/agentbridge/protocol"
)

var update = flag.Bool("update", false, "rewrite golden files")

// hangGuard bounds a test that would otherwise block forever on a bug.
const hangGuard = 30 * time.Second

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// newFixture starts an Invoke API stand-in and a Client pointed at it.
func newFixture(t *testing.T, cfg client.Config, respond clienttest.Responder) (*clienttest.Server, *client.Client) {
	t.Helper()
	srv := clienttest.NewServer(respond)
	t.Cleanup(srv.Close)
	if cfg.RetryBaseDelay == 0 {
		cfg.RetryBaseDelay = time.Millisecond
	}
	return srv, client.New(srv.LambdaClient(), "", cfg)
}

type codedError struct{}

func (codedError) Error() string { return "model quota exhausted" }
func (codedError) Code() string  { return "quota_exhausted" }

func TestEventJSONGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		emit func(context.Context, *client.Run) (*protocol.DeliveryReport, error)
	}{
		{"agent_started", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.Started(ctx, map[string]string{"question": "What is the capital of Australia?"})
		}},
		{"agent_started_no_input", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.Started(ctx, nil)
		}},
		{"agent_thinking", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.Thinking(ctx, "Searching for the answer…")
		}},
		{"tool_executing", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.ToolExecuting(ctx, "web_search", "call_1", map[string]any{"query": "capital of Australia", "limit": 3})
		}},
		{"tool_completed", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.ToolCompleted(ctx, "web_search", "call_1", json.RawMessage(`{"hits":["Canberra"]}`), nil)
		}},
		{"tool_completed_error", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.ToolCompleted(ctx, "web_search", "call_1", nil, errors.New("search backend timed out"))
		}},
		{"agent_completed", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.Completed(ctx, "Canberra")
		}},
		{"agent_error", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.Failed(ctx, codedError{})
		}},
		{"emit_generic", func(ctx context.Context, r *client.Run) (*protocol.DeliveryReport, error) {
			return r.Emit(ctx, protocol.Event{Type: protocol.AgentThinking, Payload: json.RawMessage(`{"text":"raw","extra":1}`)})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := newFixture(t, client.Config{}, nil)
			run := c.Run("alice", "run-1", client.RunOptions{ThreadID: "thread-9", AgentName: "researcher"})
			rep, err := tc.emit(testContext(t), run)
			if err != nil {
				t.Fatalf("emit: %v", err)
			}
			if want := (protocol.DeliveryReport{Events: 1, Connections: 1, Delivered: 1}); rep == nil || *rep != want {
				t.Errorf("report = %+v, want %+v", rep, want)
			}
			invokes := srv.Invokes()
			if len(invokes) != 1 {
				t.Fatalf("%d invokes, want 1", len(invokes))
			}
			if invokes[0].Function != client.DefaultFunctionName || invokes[0].InvocationType != "RequestResponse" {
				t.Errorf("invoke %s as %s", invokes[0].Function, invokes[0].InvocationType)
			}
			compareGolden(t, filepath.Join("testdata", "golden", tc.name+".json"), invokes[0].Body)
		})
	}
}

// eventIDPattern is the form of the ids the client gives events.
var eventIDPattern = regexp.MustCompile(`"event_id":"evt_[0-9a-hjkmnp-tv-z]{26}"`)

func compareGolden(t *testing.T, path string, body []byte) {
	t.Helper()
	// Event ids are random: check their form, then compare the rest.
	if n := len(eventIDPattern.FindAll(body, -1)); n != 1 {
		t.Fatalf("body has %d client event ids, want 1: %s", n, body)
	}
	body = eventIDPattern.ReplaceAll(body, []byte(`"event_id":"evt_(random)"`))
	var got bytes.Buffer
	if err := json.Indent(&got, body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	got.WriteByte('\n')
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("request body differs from %s\ngot:\n%s\nwant:\n%s", path, got.Bytes(), want)
	}
}
