package subscribe_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/client/subscribe"
	"github.com/agentbridge/agentbridge/protocol"
)

// watcher runs subscribe.Run against a stack and records every update.
type watcher struct {
	cancel context.CancelFunc
	done   chan error

	mu      sync.Mutex
	updates []subscribe.Update
	changed chan struct{}
}

func watch(t *testing.T, s *stack, cfg subscribe.Config) *watcher {
	t.Helper()
	cfg.URL = s.url()
	if cfg.Token == nil {
		cfg.Token = subscribe.StaticToken("tok")
	}
	cfg.MinBackoff, cfg.MaxBackoff = time.Millisecond, 10*time.Millisecond
	ctx, cancel := context.WithCancel(t.Context())
	w := &watcher{cancel: cancel, done: make(chan error, 1), changed: make(chan struct{})}
	go func() { w.done <- subscribe.Run(ctx, cfg, w.record) }()
	t.Cleanup(func() { w.stop(t) })
	return w
}

func (w *watcher) record(u subscribe.Update) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.updates = append(w.updates, u)
	close(w.changed)
	w.changed = make(chan struct{})
}

// waitFor waits until cond holds for the updates so far.
func (w *watcher) waitFor(t *testing.T, what string, cond func([]subscribe.Update) bool) {
	t.Helper()
	deadline := time.After(hangGuard)
	for {
		w.mu.Lock()
		ok, ch := cond(w.updates), w.changed
		w.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; offsets so far %v", what, w.offsets())
		}
	}
}

// waitOffset waits until the event with this offset was delivered.
func (w *watcher) waitOffset(t *testing.T, off int64) {
	t.Helper()
	w.waitFor(t, "offset delivered", func(us []subscribe.Update) bool {
		return slices.Contains(offsetsOf(us), off)
	})
}

func (w *watcher) waitKind(t *testing.T, k subscribe.Kind, n int) []subscribe.Update {
	t.Helper()
	var got []subscribe.Update
	w.waitFor(t, "updates of a kind", func(us []subscribe.Update) bool {
		got = got[:0]
		for _, u := range us {
			if u.Kind == k {
				got = append(got, u)
			}
		}
		return len(got) >= n
	})
	return got
}

func (w *watcher) offsets() []int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return offsetsOf(w.updates)
}

func offsetsOf(us []subscribe.Update) []int64 {
	var out []int64
	for _, u := range us {
		if u.Kind == subscribe.Event {
			out = append(out, u.Envelope.Offset)
		}
	}
	return out
}

func (w *watcher) stop(t *testing.T) error {
	w.cancel()
	select {
	case err := <-w.done:
		w.done <- err // stop may run again from Cleanup
		return err
	case <-time.After(hangGuard):
		t.Fatal("Run did not return after cancel")
		return nil
	}
}

func wantOffsets(t *testing.T, w *watcher, want ...int64) {
	t.Helper()
	if got := w.offsets(); !slices.Equal(got, want) {
		t.Fatalf("delivered offsets %v, want %v", got, want)
	}
}

func wantAfter(t *testing.T, req map[string]any, action string, after int64) {
	t.Helper()
	got, _ := req["after"].(float64)
	if req["action"] != action || int64(got) != after {
		t.Fatalf("client sent %v, want %s after %d", req, action, after)
	}
}

func TestResumesFromPositionAfterDrop(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.store(envs("r1", 1, 2, 3)...)
	w := watch(t, s, subscribe.Config{})
	c1 := s.accept(t)
	wantAfter(t, c1.requestOf(t, protocol.ActionResume), protocol.ActionResume, 0)
	if c1.token != "tok" {
		t.Errorf("token %q", c1.token)
	}
	w.waitKind(t, subscribe.Resumed, 1)
	live := envs("r1", 4, 5)
	s.store(live...)
	for _, e := range live {
		c1.sendJSON(t, e)
	}
	w.waitOffset(t, 5)
	// Stored while the connection is down: the next connection must resume after 5.
	s.store(envs("r1", 6, 7)...)
	_ = c1.ws.CloseNow()
	c2 := s.accept(t)
	wantAfter(t, c2.requestOf(t, protocol.ActionResume), protocol.ActionResume, 5)
	w.waitKind(t, subscribe.Resumed, 2)
	// A repeat of a handled event is dropped; the next one arrives.
	s.store(env(8, "r1"))
	c2.sendJSON(t, env(7, "r1"))
	c2.sendJSON(t, env(8, "r1"))
	w.waitOffset(t, 8)
	wantOffsets(t, w, 1, 2, 3, 4, 5, 6, 7, 8)
	if got := w.waitKind(t, subscribe.Disconnected, 1)[0]; got.Position != 5 || got.Err == nil {
		t.Errorf("disconnect update %+v", got)
	}
}

func TestOffsetJumpResumesAndKeepsOrder(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.store(env(1, "r1"))
	w := watch(t, s, subscribe.Config{})
	c := s.accept(t)
	c.requestOf(t, protocol.ActionResume)
	w.waitKind(t, subscribe.Resumed, 1)
	// 2 is stored but its live delivery is late; 3 arrives first.
	s.store(envs("r1", 2, 3)...)
	c.sendJSON(t, env(3, "r1"))
	wantAfter(t, c.requestOf(t, protocol.ActionResume), protocol.ActionResume, 1)
	w.waitOffset(t, 3)
	c.sendJSON(t, env(2, "r1")) // the late live copy
	s.store(env(4, "r1"))
	c.sendJSON(t, env(4, "r1"))
	w.waitOffset(t, 4)
	wantOffsets(t, w, 1, 2, 3, 4)
}

func TestSkippedOffsetsAreSettledByResumed(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.store(envs("r1", 1, 2, 4, 5)...) // 3 was reserved but never written
	s.setHead(6)                       // and 6 too
	w := watch(t, s, subscribe.Config{})
	s.accept(t)
	r := w.waitKind(t, subscribe.Resumed, 1)[0]
	if r.Position != 6 {
		t.Errorf("position after resumed %d, want the head 6", r.Position)
	}
	wantOffsets(t, w, 1, 2, 4, 5)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, u := range w.updates {
		if u.Kind == subscribe.Gap {
			t.Errorf("skipped offsets reported as a gap: %+v", u)
		}
	}
}

func TestIncompleteResumeContinues(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.limit = 2
	s.store(envs("r1", 1, 2, 3, 4, 5)...)
	w := watch(t, s, subscribe.Config{})
	c := s.accept(t)
	for _, after := range []int64{0, 2, 4} {
		wantAfter(t, c.requestOf(t, protocol.ActionResume), protocol.ActionResume, after)
	}
	w.waitKind(t, subscribe.Resumed, 3)
	wantOffsets(t, w, 1, 2, 3, 4, 5)
}

func TestStartsAfterGivenOffset(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.store(envs("r1", 1, 2, 3)...)
	w := watch(t, s, subscribe.Config{After: 2})
	wantAfter(t, s.accept(t).requestOf(t, protocol.ActionResume), protocol.ActionResume, 2)
	w.waitKind(t, subscribe.Resumed, 1)
	wantOffsets(t, w, 3)
}

func TestUnansweredGapIsPassed(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.silent = true // a stack without resume: the gap can never be filled
	w := watch(t, s, subscribe.Config{ResumeTimeout: 50 * time.Millisecond})
	c := s.accept(t)
	c.sendJSON(t, env(1, "r1"))
	c.sendJSON(t, env(3, "r1"))
	gap := w.waitKind(t, subscribe.Gap, 1)[0]
	if gap.From != 2 || gap.Through != 2 {
		t.Errorf("gap %+v, want offset 2", gap)
	}
	w.waitOffset(t, 3)
	wantOffsets(t, w, 1, 3)
}

func TestReplayFollowsOneRun(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.store(env(1, "r1"), env(2, "r2"), env(3, "r1"))
	w := watch(t, s, subscribe.Config{RunID: "r1"})
	c1 := s.accept(t)
	req := c1.requestOf(t, protocol.ActionReplay)
	if req["run_id"] != "r1" {
		t.Fatalf("replay request %v", req)
	}
	w.waitKind(t, subscribe.Replayed, 1)
	wantOffsets(t, w, 1, 3)
	s.store(env(4, "r2"), env(5, "r1"))
	c1.sendJSON(t, env(4, "r2")) // another run: not shown
	c1.sendJSON(t, env(5, "r1"))
	w.waitOffset(t, 5)
	s.store(env(6, "r1"))
	_ = c1.ws.CloseNow()
	c2 := s.accept(t)
	wantAfter(t, c2.requestOf(t, protocol.ActionReplay), protocol.ActionReplay, 5)
	w.waitOffset(t, 6)
	wantOffsets(t, w, 1, 3, 5, 6)
}

func TestPingsAndSilentConnectionIsRedialled(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := watch(t, s, subscribe.Config{PingInterval: 20 * time.Millisecond, PongTimeout: 100 * time.Millisecond})
	c := s.accept(t)
	c.requestOf(t, protocol.ActionResume)
	c.requestOf(t, protocol.ActionPing)
	w.waitKind(t, subscribe.Pong, 1)
	s.noPongs.Store(true) // the next pings go unanswered: the client must give up and redial
	d := w.waitKind(t, subscribe.Disconnected, 1)[0]
	if d.Err == nil {
		t.Fatalf("disconnect without a cause: %+v", d)
	}
	s.accept(t).requestOf(t, protocol.ActionResume)
}

func TestUnauthorizedEndsRun(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.refuse = http.StatusUnauthorized
	err := subscribe.Run(t.Context(), subscribe.Config{URL: s.url(), Token: subscribe.StaticToken("bad")}, func(subscribe.Update) {})
	var hs *subscribe.HandshakeError
	if !errors.As(err, &hs) || hs.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Run = %v, want a *HandshakeError with 401", err)
	}
}

func TestCancelClosesNormally(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	w := watch(t, s, subscribe.Config{})
	c := s.accept(t)
	w.waitKind(t, subscribe.Resumed, 1)
	if err := w.stop(t); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	select {
	case code := <-c.closed:
		if code != websocket.StatusNormalClosure {
			t.Errorf("close status %v, want 1000", code)
		}
	case <-time.After(hangGuard):
		t.Fatal("connection not closed")
	}
}
