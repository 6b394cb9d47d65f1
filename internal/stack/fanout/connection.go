package fanout

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"

	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
)

// counts is what happened to one connection's messages.
type counts struct {
	delivered, staleRemoved, gone, throttled, failed, notAttempted int
}

// deliverTo posts msgs to one connection in order. It stops at a 410 (the rest are gone), when
// the connection's throttle budget is spent (the rest are throttled) and at the deadline (the
// rest are not attempted).
func (f *Fanout) deliverTo(ctx context.Context, c connstore.Connection, msgs []eventcodec.Message) counts {
	var r counts
	budget := f.opts.ThrottleBudget
	for i, m := range msgs {
		if ctx.Err() != nil {
			r.notAttempted += len(msgs) - i
			return r
		}
		err := PostWithBudget(ctx, f.poster, c.ConnectionID, m.Data, &budget)
		var gone *types.GoneException
		switch {
		case err == nil:
			r.delivered++
		case errors.Is(err, ErrThrottled) && ctx.Err() != nil:
			// The deadline came while this message waited out a 429.
			r.throttled++
			r.notAttempted += len(msgs) - i - 1
			return r
		case errors.Is(err, ErrThrottled):
			r.throttled += len(msgs) - i
			f.opts.Logger.WarnContext(ctx, "connection throttled, skipping the rest of the request",
				"connection_id", c.ConnectionID, "event_id", m.EventID, "skipped", len(msgs)-i)
			return r
		case errors.As(err, &gone):
			// Gone either way: a connection still inside its $connect is kept rather than
			// pruned, and catches up from the stream, where these events already are, by
			// resuming once it is open.
			r.gone += len(msgs) - i
			if f.prune(ctx, c) {
				r.staleRemoved++
			}
			return r
		default:
			// Includes a post cut off by the deadline: it may or may not have arrived.
			r.failed++
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
