package fanout

import (
	"log/slog"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// Defaults of Options.
const (
	// DefaultParallel is how many connections one Deliver posts to at once.
	DefaultParallel = 16
	// DefaultDeadlineMargin leaves time to answer before the invocation's deadline.
	DefaultDeadlineMargin = 1500 * time.Millisecond
	// DefaultThrottleBudget is how long one connection may keep one request waiting on 429s.
	DefaultThrottleBudget = 1500 * time.Millisecond
	// DefaultGoneGrace covers a connection still inside its $connect.
	DefaultGoneGrace = 5 * time.Second
)

// Options tune a Fanout; the zero value works.
type Options struct {
	// Parallel bounds how many connections are posted to at once. Default DefaultParallel (16).
	Parallel int
	// DeadlineMargin is how long before the context's deadline Deliver stops: no post starts
	// after that and posts in flight are cancelled, so the function still answers with its
	// report. It is capped at a tenth of the time left when Deliver starts, so a short deadline
	// keeps most of its time. Default DefaultDeadlineMargin (1.5s).
	DeadlineMargin time.Duration
	// ThrottleBudget is the total backoff one connection may cost one request while it answers
	// 429 (its buffer is full: a tab that stopped reading). Once spent, the rest of the
	// request's messages to that connection are skipped and counted as throttled; the other
	// connections are not held up. Default DefaultThrottleBudget (1.5s).
	ThrottleBudget time.Duration
	// MaxDeliveries bounds events x connections for one Deliver; beyond it Deliver posts
	// nothing and returns a *TooLargeError. Default protocol.MaxDeliveriesPerInvoke.
	MaxDeliveries int
	// GoneGrace is how young a connection may be and still not be removed on 410. Default 5s.
	GoneGrace time.Duration
	// Now is the clock of connection ages. Default time.Now.
	Now func() time.Time
	// Logger receives one line per failed post (ids only, never data). Default: discard.
	Logger *slog.Logger
}

// withDefaults returns o with every unset field at its documented default.
func (o Options) withDefaults() Options {
	if o.Parallel <= 0 {
		o.Parallel = DefaultParallel
	}
	if o.DeadlineMargin <= 0 {
		o.DeadlineMargin = DefaultDeadlineMargin
	}
	if o.ThrottleBudget <= 0 {
		o.ThrottleBudget = DefaultThrottleBudget
	}
	if o.MaxDeliveries <= 0 {
		o.MaxDeliveries = protocol.MaxDeliveriesPerInvoke
	}
	if o.GoneGrace <= 0 {
		o.GoneGrace = DefaultGoneGrace
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
