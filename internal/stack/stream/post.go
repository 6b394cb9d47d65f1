package stream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
)

// DefaultThrottleBudget is how long one answer may wait, in total, on its connection's 429s.
const DefaultThrottleBudget = 2 * time.Second

// Backoff between posts of one message to a connection answering 429, as in the fan-out: it
// starts at throttleFirstWait and doubles up to throttleMaxWait, always within the budget.
const (
	throttleFirstWait = 50 * time.Millisecond
	throttleMaxWait   = 500 * time.Millisecond
)

// deadlineMargin is how long before the invocation's deadline the answer stops posting, so
// the error frame saying it was cut short can still be posted. It is capped at a tenth of the
// time left when the answer starts.
const deadlineMargin = time.Second

// errThrottled ends an answer: its connection kept answering 429 past the throttle budget.
var errThrottled = errors.New("throttle budget spent")

// conn posts one answer's messages to its connection, one at a time and in order. All the
// posts of an answer share one throttle budget.
type conn struct {
	poster Poster
	id     string
	budget time.Duration
}

// post posts data, retrying a 429 with jittered exponential backoff while the budget lasts;
// the SDK's retryer handles 5xx. The error wraps errThrottled once the budget is spent or ctx
// ends during a backoff.
func (c *conn) post(ctx context.Context, data []byte) error {
	wait := throttleFirstWait
	for {
		_, err := c.poster.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &c.id, Data: data})
		if !isThrottled(err) {
			return err
		}
		d := min(jitter(wait), c.budget)
		if d <= 0 {
			return fmt.Errorf("%w: %w", errThrottled, err)
		}
		if serr := sleep(ctx, d); serr != nil {
			return fmt.Errorf("%w: %w", errThrottled, serr)
		}
		c.budget -= d
		wait = min(2*wait, throttleMaxWait)
	}
}

// isThrottled reports a 429: API Gateway's answer for a connection whose client-side buffer is
// full and for rate limits on @connections. The management client never retries it itself.
func isThrottled(err error) bool {
	var limited *types.LimitExceededException
	if errors.As(err, &limited) {
		return true
	}
	var resp *awshttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusTooManyRequests
}

// isGone reports a 410: the connection no longer exists.
func isGone(err error) bool {
	var gone *types.GoneException
	if errors.As(err, &gone) {
		return true
	}
	var resp *awshttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusGone
}

// jitter draws a wait in [d/2, d].
func jitter(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) }

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// withMargin returns ctx ending deadlineMargin (at most a tenth of the time left) before
// ctx's deadline; without a deadline, ctx itself.
func withMargin(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	margin := min(deadlineMargin, time.Until(deadline)/10)
	return context.WithDeadline(ctx, deadline.Add(-margin))
}
