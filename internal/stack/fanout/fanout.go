package fanout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"golang.org/x/sync/errgroup"

	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/protocol"
)

// Connections finds and prunes a user's connections.
type Connections interface {
	Live(ctx context.Context, userID string) ([]connstore.Connection, error)
	Delete(ctx context.Context, userID, connectionID string) error
}

// Poster posts one message to one connection; *apigatewaymanagementapi.Client is one.
type Poster interface {
	PostToConnection(ctx context.Context, in *apigatewaymanagementapi.PostToConnectionInput, opts ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error)
}

// Options tune a Fanout; the zero value works.
type Options struct {
	// Parallel bounds how many connections are posted to at once. Default 16.
	Parallel int
	// GoneGrace is how young a connection may be and still not be removed on 410. Default 5s.
	GoneGrace time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives one line per failed post (ids only, never data). Default: discard.
	Logger *slog.Logger
}

// Fanout delivers messages to a user's connections.
type Fanout struct {
	conns  Connections
	poster Poster
	opts   Options
}

// New returns a Fanout.
func New(conns Connections, poster Poster, opts Options) *Fanout {
	if opts.Parallel <= 0 {
		opts.Parallel = 16
	}
	if opts.GoneGrace == 0 {
		opts.GoneGrace = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Fanout{conns: conns, poster: poster, opts: opts}
}

// ErrStore wraps a failure to read the user's connections; nothing was sent.
var ErrStore = errors.New("connection store unavailable")

// Deliver posts msgs, in order, to each live connection of userID and reports the outcome.
// It fails only when the connections cannot be read.
func (f *Fanout) Deliver(ctx context.Context, userID string, msgs []eventcodec.Message) (protocol.DeliveryReport, error) {
	report := protocol.DeliveryReport{Events: len(msgs)}
	conns, err := f.conns.Live(ctx, userID)
	if err != nil {
		return report, fmt.Errorf("%w: %w", ErrStore, err)
	}
	report.Connections = len(conns)
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(f.opts.Parallel)
	for _, c := range conns {
		g.Go(func() error {
			r := f.deliverTo(ctx, c, msgs)
			mu.Lock()
			report.Delivered += r.Delivered
			report.Failed += r.Failed
			report.StaleRemoved += r.StaleRemoved
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through report, never through the group
	return report, nil
}

// deliverTo posts msgs to one connection in order, stopping at the first Gone.
func (f *Fanout) deliverTo(ctx context.Context, c connstore.Connection, msgs []eventcodec.Message) protocol.DeliveryReport {
	var r protocol.DeliveryReport
	for i, m := range msgs {
		_, err := f.poster.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
			ConnectionId: &c.ConnectionID, Data: m.Data,
		})
		var gone *types.GoneException
		switch {
		case err == nil:
			r.Delivered++
		case errors.As(err, &gone):
			if f.prune(ctx, c) {
				r.StaleRemoved++
			} else {
				r.Failed += len(msgs) - i
			}
			return r
		default:
			r.Failed++
			f.opts.Logger.WarnContext(ctx, "post to connection failed",
				"connection_id", c.ConnectionID, "event_id", m.EventID, "error", err)
		}
	}
	return r
}

// prune removes a gone connection unless it may still be inside its $connect.
func (f *Fanout) prune(ctx context.Context, c connstore.Connection) bool {
	if f.opts.Now().Sub(c.ConnectedAt) < f.opts.GoneGrace {
		return false
	}
	if err := f.conns.Delete(ctx, c.UserID, c.ConnectionID); err != nil {
		f.opts.Logger.WarnContext(ctx, "remove gone connection failed", "connection_id", c.ConnectionID, "error", err)
		return false
	}
	return true
}
