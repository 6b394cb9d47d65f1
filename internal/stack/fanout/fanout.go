package fanout

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
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

// Fanout delivers messages to a user's connections.
type Fanout struct {
	conns  Connections
	poster Poster
	opts   Options
}

// New returns a Fanout.
func New(conns Connections, poster Poster, opts Options) *Fanout {
	return &Fanout{conns: conns, poster: poster, opts: opts.withDefaults()}
}

// Deliver posts msgs, in order, to each live connection of userID and reports the outcome of
// every message. It works to ctx's deadline less the margin and returns by then. It fails only
// when the connections cannot be read (ErrStore) or the fan-out is too large (*TooLargeError);
// then nothing was sent.
func (f *Fanout) Deliver(ctx context.Context, userID string, msgs []eventcodec.Message) (protocol.DeliveryReport, error) {
	report := protocol.DeliveryReport{Events: len(msgs)}
	ctx, cancel := f.workContext(ctx)
	defer cancel()
	conns, err := f.conns.Live(ctx, userID)
	if err != nil {
		return report, fmt.Errorf("%w: %w", ErrStore, err)
	}
	report.Connections = len(conns)
	if n := len(msgs) * len(conns); n > f.opts.MaxDeliveries && len(msgs) > 1 {
		return report, &TooLargeError{Events: len(msgs), Connections: len(conns), Max: f.opts.MaxDeliveries}
	}
	var mu sync.Mutex
	var g errgroup.Group
	g.SetLimit(f.opts.Parallel)
	for _, c := range conns {
		g.Go(func() error {
			r := f.deliverTo(ctx, c, msgs)
			mu.Lock()
			add(&report, r)
			mu.Unlock()
			return nil
		})
	}
	_ = g.Wait() // the goroutines report through report, never through the group
	return report, nil
}

// workContext ends DeadlineMargin before ctx's deadline, capped at a tenth of the time left.
func (f *Fanout) workContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return WithMargin(ctx, f.opts.DeadlineMargin)
}

// add sums one connection's counts into the request's report.
func add(report *protocol.DeliveryReport, r counts) {
	report.Delivered += r.delivered
	report.StaleRemoved += r.staleRemoved
	report.Gone += r.gone
	report.Throttled += r.throttled
	report.Failed += r.failed
	report.NotAttempted += r.notAttempted
}
