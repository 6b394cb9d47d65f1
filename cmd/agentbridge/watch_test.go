package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/client/subscribe"
	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/protocol"
)

func watchEnv(off int64, typ protocol.EventType, payload string) subscribe.Update {
	return subscribe.Update{Kind: subscribe.Event, Envelope: protocol.Envelope{
		Type: typ, EventID: "evt_x", Offset: off, RunID: "r1",
		Timestamp: "2026-01-20T11:55:00.301Z", Payload: json.RawMessage(payload),
	}, Raw: []byte(`{"raw":true}`)}
}

func TestWatchPrinter(t *testing.T) {
	tests := []struct {
		name        string
		json        bool
		updates     []subscribe.Update
		out, status string
	}{
		{
			name: "one line per event",
			updates: []subscribe.Update{
				watchEnv(1, protocol.AgentStarted, `{"input":{"q":"why?"}}`),
				watchEnv(2, protocol.AgentThinking, `{"text":"line one\nline two"}`),
				watchEnv(3, protocol.ToolExecuting, `{"tool":"search","arguments":{"q": "x"}}`),
				watchEnv(4, protocol.ToolCompleted, `{"tool":"search","error":"timeout"}`),
				watchEnv(5, protocol.AgentError, `{"message":"boom","code":"E1"}`),
			},
			out: "11:55:00.301  #1     r1  agent_started  input {\"q\":\"why?\"}\n" +
				"11:55:00.301  #2     r1  agent_thinking  line one line two\n" +
				"11:55:00.301  #3     r1  tool_executing  search({\"q\":\"x\"})\n" +
				"11:55:00.301  #4     r1  tool_completed  search failed: timeout\n" +
				"11:55:00.301  #5     r1  agent_error  boom [E1]\n",
		},
		{
			name: "escape sequences in agent text never reach the terminal",
			updates: []subscribe.Update{
				watchEnv(1, protocol.AgentThinking, `{"text":"red \u001b[31mtext\u001b[0m"}`),
				watchEnv(2, protocol.MessageStarted, `{"message_id":"m1","role":"assistant"}`),
				watchEnv(3, protocol.MessageDelta, `{"message_id":"m1","delta":"clear\u001b[2J screen"}`),
				watchEnv(4, protocol.MessageCompleted, `{"message_id":"m1"}`),
			},
			out: "11:55:00.301  #1     r1  agent_thinking  red [31mtext[0m\n" +
				"11:55:00.301  #2     r1  message m1 (assistant): clear[2J screen\n",
		},
		{
			name: "message deltas grow one line",
			updates: []subscribe.Update{
				watchEnv(1, protocol.MessageStarted, `{"message_id":"m1","role":"assistant"}`),
				watchEnv(2, protocol.MessageDelta, `{"message_id":"m1","delta":"Hel"}`),
				watchEnv(3, protocol.MessageDelta, `{"message_id":"m1","delta":"lo"}`),
				watchEnv(4, protocol.MessageCompleted, `{"message_id":"m1"}`),
				watchEnv(5, protocol.AgentCompleted, `{}`),
			},
			out: "11:55:00.301  #1     r1  message m1 (assistant): Hello\n" +
				"11:55:00.301  #5     r1  agent_completed\n",
		},
		{
			name: "status closes an open message line; a later delta starts a new one",
			updates: []subscribe.Update{
				watchEnv(1, protocol.MessageStarted, `{"message_id":"m1","role":"assistant"}`),
				watchEnv(2, protocol.MessageDelta, `{"message_id":"m1","delta":"Hel"}`),
				{Kind: subscribe.Disconnected, Err: errors.New("read: EOF"), Retry: 1500 * time.Millisecond},
				{Kind: subscribe.Connected, Position: 2},
				watchEnv(3, protocol.MessageDelta, `{"message_id":"m1","delta":"lo"}`),
				watchEnv(4, protocol.MessageCompleted, `{"message_id":"m1","text":"Hello"}`),
			},
			out: "11:55:00.301  #1     r1  message m1 (assistant): Hel\n" +
				"11:55:00.301  #3     r1  message m1: lo\n",
			status: "watch: disconnected: read: EOF; reconnecting in 1.5s\nwatch: connected; resuming after offset 2\n",
		},
		{
			name: "json prints envelopes as received",
			json: true,
			updates: []subscribe.Update{
				watchEnv(1, protocol.AgentStarted, `{}`),
				{Kind: subscribe.Gap, From: 2, Through: 3},
				{Kind: subscribe.HistoryGone, From: 0, Through: 9},
			},
			out:    "{\"raw\":true}\n",
			status: "watch: offsets 2-3 never arrived; going on\nwatch: history after offset 0 is gone (past retention); continuing from 9\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, status bytes.Buffer
			p := &watchPrinter{out: &out, status: &status, json: tc.json}
			for _, u := range tc.updates {
				p.update(u)
			}
			p.finish()
			if out.String() != tc.out || status.String() != tc.status {
				t.Errorf("out:\n%s\nstatus:\n%s\nwant out:\n%s\nstatus:\n%s", out.String(), status.String(), tc.out, tc.status)
			}
		})
	}
}

func TestWatchUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"no user":        {},
		"user and token": {"--user", "a", "--token", "t"},
		"after and run":  {"--user", "a", "--after", "3", "--run", "r1"},
		"negative after": {"--user", "a", "--after", "-1"},
		"bad user":       {"--user", "a b"},
		"stray argument": {"--user", "a", "extra"},
		"unknown flag":   {"--user", "a", "--nope"},
	} {
		var stderr bytes.Buffer
		if err := runWatch(t.Context(), args, &bytes.Buffer{}, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("%s: err %v, want a usage error", name, err)
		}
	}
}

// syncBuffer is a bytes.Buffer shared with Run's goroutine; changed is signalled on writes.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case b.changed <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestWatchFollowsStream runs the command against a WebSocket server that checks the minted
// token, answers the resume, and sees a normal close on Ctrl-C (context cancel).
func TestWatchFollowsStream(t *testing.T) {
	const secret = "watch-test-secret"
	verifier, err := auth.NewVerifier(auth.Config{HMACSecret: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	defer verifier.Close()
	closed := make(chan websocket.StatusCode, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var tok string
		for _, p := range strings.Split(r.Header.Get("Sec-WebSocket-Protocol"), ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(p), "bearer."); ok {
				tok = v
			}
		}
		if user, err := verifier.Verify(r.Context(), tok); err != nil || user != "alice" {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{subscribe.Subprotocol}})
		if err != nil {
			return
		}
		ctx := t.Context()
		for {
			_, data, err := c.Read(ctx)
			if err != nil {
				closed <- websocket.CloseStatus(err)
				return
			}
			if !strings.Contains(string(data), `"action":"resume","after":0`) {
				continue
			}
			for _, frame := range []string{
				`{"type":"agent_started","event_id":"evt_1","offset":1,"run_id":"r1","timestamp":"2026-01-20T11:55:00.301Z","payload":{}}`,
				`{"type":"agent_thinking","event_id":"evt_2","offset":2,"run_id":"r1","timestamp":"2026-01-20T11:55:01.000Z","payload":{"text":"hi"}}`,
				`{"type":"resumed","after":0,"through":2,"complete":true}`,
			} {
				_ = c.Write(ctx, websocket.MessageText, []byte(frame))
			}
		}
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stdout := &syncBuffer{changed: make(chan struct{}, 1)}
	var stderr syncBuffer
	stderr.changed = make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- runWatch(ctx, []string{"--user", "alice", "--secret", secret, "--url", "ws" + strings.TrimPrefix(srv.URL, "http")}, stdout, &stderr)
	}()
	want := "11:55:00.301  #1     r1  agent_started\n11:55:01.000  #2     r1  agent_thinking  hi\n"
	deadline := time.After(10 * time.Second)
	for stdout.String() != want {
		select {
		case <-stdout.changed:
		case err := <-done:
			t.Fatalf("watch ended: %v; stderr %s", err, stderr.String())
		case <-deadline:
			t.Fatalf("stdout %q, want %q; stderr %s", stdout.String(), want, stderr.String())
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("watch after Ctrl-C: %v", err)
	}
	select {
	case code := <-closed:
		if code != websocket.StatusNormalClosure {
			t.Errorf("close status %v, want 1000", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the connection was not closed")
	}
}
