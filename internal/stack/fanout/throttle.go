package fanout

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

// Backoff between posts of one message to a connection answering 429: it starts at
// throttleFirstWait and doubles up to throttleMaxWait, always within the caller's budget.
const (
	throttleFirstWait = 50 * time.Millisecond
	throttleMaxWait   = 500 * time.Millisecond
)

// ErrThrottled is wrapped by PostWithBudget's error when the connection kept answering 429
// until the budget was spent, or the context ended while waiting one out.
var ErrThrottled = errors.New("throttle budget spent")

// PostWithBudget posts data to one connection, retrying a 429 with jittered exponential
// backoff and spending the waits from *budget, which the caller shares across the messages
// it posts to that connection. The management client never retries 429 itself
// (NewManagementClient), so this is where a tab that stopped reading costs its own time only;
// 5xx is left to the SDK's retryer.
func PostWithBudget(ctx context.Context, p Poster, connectionID string, data []byte, budget *time.Duration) error {
	wait := throttleFirstWait
	for {
		_, err := p.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &connectionID, Data: data})
		if !isThrottled(err) {
			return err
		}
		d := min(jitter(wait), *budget)
		if d <= 0 {
			return fmt.Errorf("%w: %w", ErrThrottled, err)
		}
		if serr := sleep(ctx, d); serr != nil {
			return fmt.Errorf("%w: %w", ErrThrottled, serr)
		}
		*budget -= d
		wait = min(2*wait, throttleMaxWait)
	}
}

// isThrottled reports a 429: API Gateway's answer for a connection whose client-side buffer is
// full (a tab that stopped reading) and for rate limits on @connections.
func isThrottled(err error) bool {
	var limited *types.LimitExceededException
	if errors.As(err, &limited) {
		return true
	}
	var resp *awshttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusTooManyRequests
}

// IsGone reports a 410: the connection no longer exists.
func IsGone(err error) bool {
	var gone *types.GoneException
	if errors.As(err, &gone) {
		return true
	}
	var resp *awshttp.ResponseError
	return errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusGone
}

// WithMargin returns ctx ending margin (at most a tenth of the time left) before ctx's
// deadline, so the caller keeps time to answer; without a deadline, ctx itself.
func WithMargin(ctx context.Context, margin time.Duration) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-min(margin, time.Until(deadline)/10)))
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
