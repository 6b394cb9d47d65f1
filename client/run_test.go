package client_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/client/clienttest"
	"github.com/agentbridge/agentbridge/protocol"
)

// checkSeqOrder asserts the events arrived with seq 0..n-1 in order.
func checkSeqOrder(t *testing.T, events []protocol.Event, n int) {
	t.Helper()
	if len(events) != n {
		t.Fatalf("server got %d events, want %d", len(events), n)
	}
	for i, ev := range events {
		if ev.Seq == nil || *ev.Seq != int64(i) {
			t.Fatalf("event %d arrived with seq %v, want %d", i, ev.Seq, i)
		}
	}
}

func TestSeqOrderUnderConcurrency(t *testing.T) {
	t.Parallel()
	for _, cfg := range []client.Config{{}, {BatchSize: 7, BatchDelay: time.Millisecond}} {
		t.Run(fmt.Sprintf("batch=%d", cfg.BatchSize), func(t *testing.T) {
			srv, c := newFixture(t, cfg, nil)
			run := c.Run("alice", "run-1", client.RunOptions{})
			ctx := testContext(t)
			const goroutines, each = 50, 4
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					for i := range each {
						if _, err := run.Thinking(ctx, fmt.Sprintf("g%d-%d", g, i)); err != nil {
							t.Errorf("thinking: %v", err)
						}
					}
				})
			}
			wg.Wait()
			if err := run.Close(ctx); err != nil {
				t.Fatalf("close: %v", err)
			}
			checkSeqOrder(t, srv.Events(), goroutines*each)
		})
	}
}

func TestBatchingKeepsOrderAndCutsInvokes(t *testing.T) {
	t.Parallel()
	srv, c := newFixture(t, client.Config{BatchSize: 20, BatchDelay: time.Hour}, nil)
	run := c.Run("alice", "run-1", client.RunOptions{})
	ctx := testContext(t)
	for i := range 100 {
		rep, err := run.Thinking(ctx, fmt.Sprint(i))
		if err != nil || rep != nil {
			t.Fatalf("thinking %d: report %v, err %v", i, rep, err)
		}
	}
	if n := len(srv.Invokes()); n != 5 {
		t.Errorf("%d invokes for 100 events in batches of 20, want 5", n)
	}
	checkSeqOrder(t, srv.Events(), 100)
	if st := c.Stats(); st.Invokes != 5 || st.Events != 100 || st.Delivered != 100 {
		t.Errorf("stats = %+v", st)
	}
}

func TestBatchDelayFlushes(t *testing.T) {
	t.Parallel()
	srv, c := newFixture(t, client.Config{BatchSize: 100, BatchDelay: 10 * time.Millisecond}, nil)
	run := c.Run("alice", "run-1", client.RunOptions{})
	ctx := testContext(t)
	for i := range 3 {
		if _, err := run.Thinking(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, func() bool { return len(srv.Invokes()) == 1 })
	if got := srv.Invokes()[0].Events; len(got) != 3 {
		t.Errorf("timer flush sent %d events, want 3", len(got))
	}
}

func TestCloseFlushesAndEndsRun(t *testing.T) {
	t.Parallel()
	srv, c := newFixture(t, client.Config{BatchSize: 100, BatchDelay: time.Hour}, nil)
	run := c.Run("alice", "run-1", client.RunOptions{})
	ctx := testContext(t)
	for i := range 7 {
		if _, err := run.Thinking(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(srv.Invokes()); n != 0 {
		t.Fatalf("%d invokes before Close, want 0", n)
	}
	if err := run.Close(ctx); err != nil {
		t.Fatal(err)
	}
	checkSeqOrder(t, srv.Events(), 7)
	if _, err := run.Thinking(ctx, "late"); !errors.Is(err, client.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
	if err := run.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCompletedFlushesBatch(t *testing.T) {
	t.Parallel()
	srv, c := newFixture(t, client.Config{BatchSize: 100, BatchDelay: time.Hour}, nil)
	run := c.Run("alice", "run-1", client.RunOptions{})
	ctx := testContext(t)
	if _, err := run.Started(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Completed(ctx, "done"); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Invokes()); n != 1 {
		t.Errorf("%d invokes, want 1", n)
	}
}

func TestNonRetryableErrorsInvokeOnce(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{protocol.ErrorTypeValidation, protocol.ErrorTypePayloadTooLarge} {
		t.Run(typ, func(t *testing.T) {
			srv, c := newFixture(t, client.Config{}, func(clienttest.Invoke) clienttest.Response {
				return clienttest.Response{FunctionError: &protocol.FunctionError{ErrorType: typ, ErrorMessage: "events[0].payload.text: required"}}
			})
			_, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
			var e *client.Error
			if !errors.As(err, &e) || e.Type != typ || e.Retryable {
				t.Fatalf("err = %#v, want non-retryable %s", err, typ)
			}
			if e.Message != "events[0].payload.text: required" {
				t.Errorf("message = %q", e.Message)
			}
			if n := len(srv.Invokes()); n != 1 {
				t.Errorf("%d invokes, want 1", n)
			}
		})
	}
}

func TestClientSideValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		call func(context.Context, *client.Client) error
	}{
		{"empty user", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run("", "run-1", client.RunOptions{}).Thinking(ctx, "x")
			return err
		}},
		{"empty run", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run("alice", "", client.RunOptions{}).Thinking(ctx, "x")
			return err
		}},
		{"user with space", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run(" alice", "run-1", client.RunOptions{}).Thinking(ctx, "x")
			return err
		}},
		{"empty tool", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run("alice", "run-1", client.RunOptions{}).ToolExecuting(ctx, "", "", nil)
			return err
		}},
		{"unknown type", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run("alice", "run-1", client.RunOptions{}).Emit(ctx, protocol.Event{Type: "agent_dancing"})
			return err
		}},
		{"payload not an object", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run("alice", "run-1", client.RunOptions{}).Emit(ctx, protocol.Event{Type: protocol.AgentThinking, Payload: []byte(`"hi"`)})
			return err
		}},
		{"empty thinking text", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(ctx, "")
			return err
		}},
		{"another run's id", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run("alice", "run-1", client.RunOptions{}).Emit(ctx, protocol.Event{Type: protocol.AgentStarted, RunID: "run-2"})
			return err
		}},
		{"failed without error", func(ctx context.Context, c *client.Client) error {
			_, err := c.Run("alice", "run-1", client.RunOptions{}).Failed(ctx, nil)
			return err
		}},
		{"send too many", func(ctx context.Context, c *client.Client) error {
			_, err := c.Send(ctx, "alice", make([]protocol.Event, protocol.MaxEventsPerRequest+1)...)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := newFixture(t, client.Config{}, nil)
			err := tc.call(testContext(t), c)
			var e *client.Error
			if !errors.As(err, &e) || e.Type != protocol.ErrorTypeValidation {
				t.Fatalf("err = %v, want ValidationError", err)
			}
			if n := len(srv.Invokes()); n != 0 {
				t.Errorf("%d invokes, want 0", n)
			}
		})
	}
}

// failFirst answers the first n invokes with resp and later ones with success.
func failFirst(n int, resp clienttest.Response) clienttest.Responder {
	return func(inv clienttest.Invoke) clienttest.Response {
		if inv.N <= n {
			return resp
		}
		return clienttest.Response{}
	}
}

func TestTransientErrorsRetried(t *testing.T) {
	t.Parallel()
	cases := map[string]clienttest.Response{
		"ServiceUnavailable":       {FunctionError: &protocol.FunctionError{ErrorType: protocol.ErrorTypeUnavailable, ErrorMessage: "store down"}},
		"TooManyRequestsException": {ErrorCode: "TooManyRequestsException", Status: 429},
		"ServiceException 500":     {ErrorCode: "ServiceException", Status: 500},
		"unknown 503":              {ErrorCode: "SomethingOdd", Status: 503},
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			srv, c := newFixture(t, client.Config{}, failFirst(2, resp))
			rep, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
			if err != nil || rep == nil || rep.Delivered != 1 {
				t.Fatalf("report %+v, err %v", rep, err)
			}
			if n := len(srv.Invokes()); n != 3 {
				t.Errorf("%d invokes, want 3", n)
			}
		})
	}
}

func TestRetriesAreBounded(t *testing.T) {
	t.Parallel()
	srv, c := newFixture(t, client.Config{MaxAttempts: 3}, failFirst(100, clienttest.Response{ErrorCode: "TooManyRequestsException", Status: 429}))
	_, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
	var e *client.Error
	if !errors.As(err, &e) || e.Type != "TooManyRequestsException" || !e.Retryable || e.StatusCode != 429 {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Invokes()); n != 3 {
		t.Errorf("%d invokes, want 3", n)
	}
}

func TestUnknownFunctionNotRetried(t *testing.T) {
	t.Parallel()
	srv, c := newFixture(t, client.Config{}, failFirst(100, clienttest.Response{ErrorCode: "ResourceNotFoundException", Status: 404}))
	_, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
	var e *client.Error
	if !errors.As(err, &e) || e.Type != "ResourceNotFoundException" || e.Retryable {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Invokes()); n != 1 {
		t.Errorf("%d invokes, want 1", n)
	}
}

func TestNetworkErrorRetriedThenReported(t *testing.T) {
	t.Parallel()
	srv := clienttest.NewServer(nil)
	lc := srv.LambdaClient()
	srv.Close() // nothing listens any more: every invoke fails to connect
	c := client.New(lc, "", client.Config{MaxAttempts: 2, RetryBaseDelay: time.Millisecond})
	_, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
	var e *client.Error
	if !errors.As(err, &e) || !e.Retryable {
		t.Fatalf("err = %v, want a retryable *client.Error", err)
	}
	if n := c.Stats().Invokes; n != 2 {
		t.Errorf("%d invokes, want 2", n)
	}
}

func TestAsyncInvokeReturnsNoReport(t *testing.T) {
	t.Parallel()
	srv, c := newFixture(t, client.Config{Async: true}, nil)
	rep, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
	if err != nil || rep != nil {
		t.Fatalf("report %v, err %v; want nil, nil", rep, err)
	}
	if inv := srv.Invokes(); len(inv) != 1 || inv[0].InvocationType != "Event" {
		t.Errorf("invokes = %+v, want one Event invoke", inv)
	}
}

// signalHandler is a slog handler that closes a channel at the first error record.
type signalHandler struct {
	slog.Handler
	once sync.Once
	ch   chan struct{}
}

func (h *signalHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *signalHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		h.once.Do(func() { close(h.ch) })
	}
	return nil
}

func TestBackgroundFlushErrorSurfaces(t *testing.T) {
	t.Parallel()
	reject := clienttest.Response{FunctionError: &protocol.FunctionError{ErrorType: protocol.ErrorTypeValidation, ErrorMessage: "events[0]: bad"}}
	surfaces := map[string]func(context.Context, *client.Run) error{
		"next call": func(ctx context.Context, r *client.Run) error { _, err := r.Thinking(ctx, "next"); return err },
		"Flush":     func(ctx context.Context, r *client.Run) error { return r.Flush(ctx) },
		"Close":     func(ctx context.Context, r *client.Run) error { return r.Close(ctx) },
	}
	for name, surface := range surfaces {
		t.Run(name, func(t *testing.T) {
			h := &signalHandler{Handler: slog.DiscardHandler, ch: make(chan struct{})}
			srv, c := newFixture(t, client.Config{BatchSize: 100, BatchDelay: time.Millisecond, Logger: slog.New(h)}, failFirst(1, reject))
			run := c.Run("alice", "run-1", client.RunOptions{})
			ctx := testContext(t)
			if _, err := run.Thinking(ctx, "first"); err != nil {
				t.Fatal(err)
			}
			select {
			case <-h.ch:
			case <-ctx.Done():
				t.Fatal("background flush never failed")
			}
			err := surface(ctx, run)
			var e *client.Error
			if !errors.As(err, &e) || e.Type != protocol.ErrorTypeValidation {
				t.Fatalf("err = %v, want the background ValidationError", err)
			}
			if err := run.Flush(ctx); err != nil {
				t.Errorf("error reported twice: %v", err)
			}
			if n := len(srv.Invokes()); n != 1 {
				t.Errorf("%d invokes, want 1", n)
			}
		})
	}
}

// waitFor polls cond until it holds, failing the test at the hang guard.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
