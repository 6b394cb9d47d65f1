package client

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// RunOptions are the optional ids stamped on every event of a Run.
type RunOptions struct {
	// ThreadID groups runs of one conversation. Default empty: omitted.
	ThreadID string
	// AgentName names the agent for display. Default empty: omitted.
	AgentName string
}

// Run is one agent run's event stream for one user. It numbers events with seq from 0 and
// sends them in seq order. Create it with Client.Run; it is safe for concurrent use.
type Run struct {
	c      *Client
	userID string
	runID  string
	opts   RunOptions
	// invalid is set when the ids given to Client.Run are bad; every call returns it.
	invalid error
	// sending is a one-slot semaphore held around each invoke, so a Run has at most one
	// invoke in flight and invokes leave in the order the slot was taken.
	sending chan struct{}

	mu      sync.Mutex
	nextSeq int64
	closed  bool
	batch   batchState
	open    []*Message // streamed messages not yet closed, flushed before any other event
}

// Run starts the event stream of run runID for userID. Bad ids are reported by the Run's
// first call, as a ValidationError, without an invoke.
func (c *Client) Run(userID, runID string, opts RunOptions) *Run {
	r := &Run{c: c, userID: userID, runID: runID, opts: opts, sending: make(chan struct{}, 1)}
	r.invalid = firstError(checkUserID(userID), checkID("run_id", runID, true),
		checkID("thread_id", opts.ThreadID, false), checkAgentName(opts.AgentName))
	return r
}

// Emit sends ev as the run's next event. The Run fills run_id and assigns seq; an empty
// thread_id or agent_name is filled from RunOptions, an empty event_id with a new id that every
// retry of the event's request reuses. Without batching Emit invokes once and
// returns the delivery report (nil for asynchronous invokes). With batching it queues the
// event and returns a nil report; a call whose event fills a batch also waits for that
// batch's send and returns its error. An error may also report an earlier background send,
// in which case this event was not queued (see Flush).
func (r *Run) Emit(ctx context.Context, ev protocol.Event) (*protocol.DeliveryReport, error) {
	if err := r.flushMessages(ctx); err != nil {
		return nil, err
	}
	return r.emit(ctx, ev)
}

// emit is Emit without flushing open messages: the path of their own deltas.
func (r *Run) emit(ctx context.Context, ev protocol.Event) (*protocol.DeliveryReport, error) {
	ev, err := r.stamp(ev)
	if err != nil {
		return nil, err
	}
	if r.c.cfg.batching() {
		return nil, r.enqueue(ctx, ev)
	}
	return r.sendNow(ctx, ev)
}

// stamp fills the Run's ids into ev and checks it, before any seq is assigned.
func (r *Run) stamp(ev protocol.Event) (protocol.Event, error) {
	if r.invalid != nil {
		return ev, r.invalid
	}
	if ev.RunID != "" && ev.RunID != r.runID {
		return ev, validationf("run_id: %q differs from the Run's; use Client.Run for another run", ev.RunID)
	}
	ev.RunID = r.runID
	if ev.ThreadID == "" {
		ev.ThreadID = r.opts.ThreadID
	}
	if ev.AgentName == "" {
		ev.AgentName = r.opts.AgentName
	}
	ev.Seq = nil
	return withEventID(ev), checkEvent(ev)
}

// sendNow invokes once for ev, holding the send slot so seq order is send order.
func (r *Run) sendNow(ctx context.Context, ev protocol.Event) (*protocol.DeliveryReport, error) {
	if err := r.acquire(ctx); err != nil {
		return nil, err
	}
	defer r.release()
	raw, err := r.number(ev)
	if err != nil {
		return nil, err
	}
	return r.c.invoke(ctx, r.userID, []json.RawMessage{raw})
}

// number assigns ev the next seq and encodes it.
func (r *Run) number(ev protocol.Event) (json.RawMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.numberLocked(ev)
}

func (r *Run) numberLocked(ev protocol.Event) (json.RawMessage, error) {
	if r.closed {
		return nil, ErrClosed
	}
	seq := r.nextSeq
	r.nextSeq++
	ev.Seq = &seq
	raw, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	return raw, nil
}

// acquire takes the send slot, or gives up when ctx ends.
func (r *Run) acquire(ctx context.Context) error {
	select {
	case r.sending <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for earlier sends: %w", ctx.Err())
	}
}

func (r *Run) release() { <-r.sending }

// Close sends every queued event and ends the run: later event calls return ErrClosed. It
// returns any error of a background send not yet reported. Close is idempotent.
func (r *Run) Close(ctx context.Context) error {
	if err := r.flushMessages(ctx); err != nil {
		return err
	}
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return r.Flush(ctx)
}

// backgroundContext bounds a send that no caller waits for.
func (r *Run) backgroundContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), r.c.cfg.FlushTimeout)
}

// batchDelay is how long the first queued event of a batch waits.
func (r *Run) batchDelay() time.Duration { return r.c.cfg.BatchDelay }

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
