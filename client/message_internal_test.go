package client

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/client/clienttest"
	"github.com/agentbridge/agentbridge/protocol"
)

// fakeClock steps time by hand: timers fire inside Advance, on the caller's goroutine, so a
// test decides exactly when coalesced text leaves.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	at      time.Time
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) AfterFunc(d time.Duration, f func()) stopper {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Advance moves time on by d and runs every timer that falls due, in due order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].at.Before(due[j].at) })
	for _, t := range due {
		if !t.stopped {
			t.f()
		}
	}
}

func newMessageClient(t *testing.T, cfg Config) (*Client, *clienttest.Server, *fakeClock) {
	t.Helper()
	srv := clienttest.NewServer(nil)
	t.Cleanup(srv.Close)
	c := New(srv.LambdaClient(), "", cfg)
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	c.clock = clk
	return c, srv, clk
}

// deltaText returns the concatenated deltas of messageID and how many deltas carried it.
func deltaText(t *testing.T, events []protocol.Event, messageID string) (string, int) {
	t.Helper()
	var b strings.Builder
	n := 0
	for _, ev := range events {
		if ev.Type != protocol.MessageDelta {
			continue
		}
		var p protocol.MessageDeltaPayload
		if err := json.Unmarshal(ev.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.MessageID == messageID {
			b.WriteString(p.Delta)
			n++
		}
	}
	return b.String(), n
}

func eventTypes(events []protocol.Event) []protocol.EventType {
	out := make([]protocol.EventType, len(events))
	for i, ev := range events {
		out[i] = ev.Type
	}
	return out
}

func TestMessageDeltasArriveInOrderAndConcatenate(t *testing.T) {
	c, srv, clk := newMessageClient(t, Config{})
	run := c.Run("alice", "r1", RunOptions{})
	m, err := run.Message(t.Context(), "m1", MessageOptions{FinalText: true})
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	for i := range 60 {
		word := fmt.Sprintf("word%d ", i)
		want.WriteString(word)
		if _, err := m.WriteString(word); err != nil {
			t.Fatal(err)
		}
		clk.Advance(7 * time.Millisecond)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	events := srv.Events()
	checkSeqs(t, events)
	if got, _ := deltaText(t, events, "m1"); got != want.String() {
		t.Fatalf("deltas concatenate to %q, want %q", got, want.String())
	}
	if events[0].Type != protocol.MessageStarted || events[len(events)-1].Type != protocol.MessageCompleted {
		t.Fatalf("message framed as %v", eventTypes(events))
	}
	var done protocol.MessageCompletedPayload
	if err := json.Unmarshal(events[len(events)-1].Payload, &done); err != nil || done.Text != want.String() {
		t.Fatalf("message_completed text = %q, %v", done.Text, err)
	}
}

// TestMessageCoalescingBoundsTheEventRate: a burst of 1,000 one-character deltas over one
// second leaves as at most one delta per 50ms window, plus the one Close forces.
func TestMessageCoalescingBoundsTheEventRate(t *testing.T) {
	c, srv, clk := newMessageClient(t, Config{})
	run := c.Run("alice", "r1", RunOptions{})
	m, err := run.Message(t.Context(), "m1", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := range n {
		if _, err := m.WriteString(string(rune('a' + i%26))); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Millisecond)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	text, deltas := deltaText(t, srv.Events(), "m1")
	if len(text) != n {
		t.Fatalf("deltas carry %d characters, want %d", len(text), n)
	}
	if limit := int(time.Second/(50*time.Millisecond)) + 2; deltas > limit || deltas < 2 {
		t.Fatalf("%d deltas for a one-second burst, want 2..%d", deltas, limit)
	}
}

// TestMessageTextLeavesBeforeTheNextEvent: text queued in a message is sent before a tool
// call that follows it, without waiting for the window, and the run stays in seq order.
func TestMessageTextLeavesBeforeTheNextEvent(t *testing.T) {
	for _, batch := range []bool{false, true} {
		t.Run(fmt.Sprintf("batch=%v", batch), func(t *testing.T) {
			cfg := Config{}
			if batch {
				cfg.BatchSize, cfg.BatchDelay = 50, time.Hour
			}
			c, srv, _ := newMessageClient(t, cfg)
			ctx := t.Context()
			run := c.Run("alice", "r1", RunOptions{})
			m, err := run.Message(ctx, "m1", MessageOptions{})
			if err != nil {
				t.Fatal(err)
			}
			mustWrite(t, m, "Let me check ")
			if _, err := run.ToolExecuting(ctx, "search", "call-1", nil); err != nil {
				t.Fatal(err)
			}
			mustWrite(t, m, "the figures.")
			if _, err := run.ToolCompleted(ctx, "search", "call-1", "42", nil); err != nil {
				t.Fatal(err)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			if err := run.Close(ctx); err != nil {
				t.Fatal(err)
			}
			events := srv.Events()
			checkSeqs(t, events)
			want := []protocol.EventType{protocol.MessageStarted, protocol.MessageDelta, protocol.ToolExecuting,
				protocol.MessageDelta, protocol.ToolCompleted, protocol.MessageCompleted}
			if got := eventTypes(events); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("events %v, want %v", got, want)
			}
		})
	}
}

func TestMessageRefusesBadIDsAndWritesAfterClose(t *testing.T) {
	c, srv, _ := newMessageClient(t, Config{})
	run := c.Run("alice", "r1", RunOptions{})
	if _, err := run.Message(t.Context(), "m 1", MessageOptions{}); err == nil {
		t.Fatal("a message id with a space was accepted")
	}
	if _, err := run.Message(t.Context(), "m1", MessageOptions{Role: "robot"}); err == nil {
		t.Fatal("an unknown role was accepted")
	}
	m, err := run.Message(t.Context(), "m1", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.WriteString("late"); err != ErrClosed {
		t.Fatalf("write after close: %v, want ErrClosed", err)
	}
	if got := eventTypes(srv.Events()); fmt.Sprint(got) != fmt.Sprint([]protocol.EventType{protocol.MessageStarted, protocol.MessageCompleted}) {
		t.Fatalf("events %v", got)
	}
}

// TestStreamedAnswerCost counts what a 400-token answer streamed at 50 tokens a second costs:
// one event per token before coalescing, at most one per 50ms window after.
func TestStreamedAnswerCost(t *testing.T) {
	const tokens, perToken = 400, 20 * time.Millisecond
	c, srv, clk := newMessageClient(t, Config{})
	run := c.Run("alice", "r1", RunOptions{})
	m, err := run.Message(t.Context(), "answer", MessageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range tokens {
		mustWrite(t, m, fmt.Sprintf("tok%d ", i))
		clk.Advance(perToken)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	events, invokes := len(srv.Events()), len(srv.Invokes())
	limit := 2 + int(tokens*perToken/(50*time.Millisecond)) + 1
	if events > limit {
		t.Fatalf("%d events for %d tokens, want at most %d", events, tokens, limit)
	}
	t.Logf("400 tokens at 50/s: %d events in %d invokes (one event per token: %d)", events, invokes, tokens+2)
}

func mustWrite(t *testing.T, m *Message, s string) {
	t.Helper()
	if _, err := m.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func checkSeqs(t *testing.T, events []protocol.Event) {
	t.Helper()
	for i, ev := range events {
		if ev.Seq == nil || *ev.Seq != int64(i) {
			t.Fatalf("event %d (%s) has seq %v", i, ev.Type, ev.Seq)
		}
	}
}
