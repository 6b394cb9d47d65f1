package client

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/protocol"
)

// Invoker is the one Lambda call the client makes; *lambda.Client satisfies it.
type Invoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

var _ Invoker = (*lambda.Client)(nil)

// DefaultFunctionName is the emit function's logical id in template.yaml, which is also its
// name on the local host.
const DefaultFunctionName = "EmitFunction"

// Config tunes a Client. Its zero value works: synchronous invokes, no batching, four attempts.
type Config struct {
	// Async makes invokes asynchronous (invocation type Event): a call returns once Lambda has
	// queued the request, with no delivery report, and Lambda may run queued requests out of
	// order. Default false: synchronous (RequestResponse) invokes that return a report.
	Async bool
	// BatchSize turns batching on when above 1: up to BatchSize events (capped at
	// protocol.MaxEventsPerRequest) share one invoke. Default 0: every event is its own invoke.
	BatchSize int
	// BatchDelay is the longest a queued event waits for companions. Default 50ms; used only
	// with batching.
	BatchDelay time.Duration
	// MaxAttempts bounds the invokes made for one request, the first included. Default 4.
	MaxAttempts int
	// ResendUnknownOutcome lets the client resend a request whose outcome is unknown (see
	// Error.OutcomeUnknown): an invoke that timed out, crashed or lost its connection after
	// sending. Default false: such a request is returned as an error, not resent, because a
	// stack without the durable stream would deliver its events again. With the durable stream
	// the resend is safe: every event carries the event_id it was created with, the stream
	// stores it once, and tabs drop the repeated envelope by offset.
	ResendUnknownOutcome bool
	// RetryBaseDelay is the backoff ceiling before the first retry; it doubles each retry and
	// the actual wait is drawn uniformly below it (full jitter). Default 100ms.
	RetryBaseDelay time.Duration
	// RetryMaxDelay caps the backoff ceiling. Default 5s.
	RetryMaxDelay time.Duration
	// FlushTimeout bounds a background flush, which has no caller context. Default 30s.
	FlushTimeout time.Duration
	// MessageRate bounds the message_delta events one streamed message sends per second: text
	// written faster is merged into one delta per 1/MessageRate window. Default 20 (a 50ms
	// window), which keeps a streamed answer smooth to read at a fraction of a token's cost.
	MessageRate int
	// Logger receives retry and background-flush diagnostics. Default nil: discard.
	Logger *slog.Logger
}

// withDefaults returns cfg with every unset field at its documented default.
func (cfg Config) withDefaults() Config {
	if cfg.BatchSize > protocol.MaxEventsPerRequest {
		cfg.BatchSize = protocol.MaxEventsPerRequest
	}
	if cfg.BatchDelay <= 0 {
		cfg.BatchDelay = 50 * time.Millisecond
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 4
	}
	if cfg.RetryBaseDelay <= 0 {
		cfg.RetryBaseDelay = 100 * time.Millisecond
	}
	if cfg.RetryMaxDelay <= 0 {
		cfg.RetryMaxDelay = 5 * time.Second
	}
	if cfg.FlushTimeout <= 0 {
		cfg.FlushTimeout = 30 * time.Second
	}
	if cfg.MessageRate <= 0 {
		cfg.MessageRate = 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return cfg
}

// messageWindow is the least time between two deltas of one message.
func (cfg Config) messageWindow() time.Duration { return time.Second / time.Duration(cfg.MessageRate) }

// batching reports whether event calls queue rather than invoke.
func (cfg Config) batching() bool { return cfg.BatchSize > 1 }

// Client sends events to the emit function. Create it with New; it is safe for concurrent use.
type Client struct {
	invoker  Invoker
	function string
	cfg      Config
	stats    counters
	clock    clock
}

// New returns a Client that invokes functionName (DefaultFunctionName when empty) through
// invoker.
func New(invoker Invoker, functionName string, cfg Config) *Client {
	if functionName == "" {
		functionName = DefaultFunctionName
	}
	return &Client{invoker: invoker, function: functionName, cfg: cfg.withDefaults(), clock: systemClock{}}
}

// Send emits events for userID in one request, as given: it does not number them or fill their
// run ids, which makes it the building block for tools that replay recorded events. An event
// without an event_id gets one, reused by every retry of the request. Use Run for live agent
// runs. The report is nil for asynchronous invokes.
func (c *Client) Send(ctx context.Context, userID string, events ...protocol.Event) (*protocol.DeliveryReport, error) {
	if err := checkUserID(userID); err != nil {
		return nil, err
	}
	if len(events) == 0 || len(events) > protocol.MaxEventsPerRequest {
		return nil, validationf("events: %d events, want 1 to %d", len(events), protocol.MaxEventsPerRequest)
	}
	raws := make([]json.RawMessage, len(events))
	for i, ev := range events {
		raw, err := encodeEvent(withEventID(ev))
		if err != nil {
			return nil, prefixed(err, "events[%d].", i)
		}
		raws[i] = raw
	}
	return c.invoke(ctx, userID, raws)
}

// Stats are a Client's running totals, summed over its delivery reports.
type Stats struct {
	// Invokes counts Invoke API calls, retries included.
	Invokes int64
	// Events counts events in requests that succeeded.
	Events int64
	// The rest sum the delivery reports' fields of the same names.
	Delivered    int64
	StaleRemoved int64
	Gone         int64
	Throttled    int64
	Failed       int64
	NotAttempted int64
}

// Stats returns the totals so far.
func (c *Client) Stats() Stats { return c.stats.snapshot() }

type counters struct {
	invokes, events, delivered, staleRemoved, gone, throttled, failed, notAttempted atomic.Int64
}

func (s *counters) add(events int, rep *protocol.DeliveryReport) {
	s.events.Add(int64(events))
	if rep == nil {
		return
	}
	s.delivered.Add(int64(rep.Delivered))
	s.staleRemoved.Add(int64(rep.StaleRemoved))
	s.gone.Add(int64(rep.Gone))
	s.throttled.Add(int64(rep.Throttled))
	s.failed.Add(int64(rep.Failed))
	s.notAttempted.Add(int64(rep.NotAttempted))
}

func (s *counters) snapshot() Stats {
	return Stats{
		Invokes:      s.invokes.Load(),
		Events:       s.events.Load(),
		Delivered:    s.delivered.Load(),
		StaleRemoved: s.staleRemoved.Load(),
		Gone:         s.gone.Load(),
		Throttled:    s.throttled.Load(),
		Failed:       s.failed.Load(),
		NotAttempted: s.notAttempted.Load(),
	}
}
