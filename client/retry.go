package client

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// withRetries runs attempt until it succeeds, fails for good, or Config.MaxAttempts is spent,
// sleeping a jittered exponential backoff between attempts. A delivery report is a success
// however much of it was not delivered: resending it would deliver the rest again to the
// connections that had it.
func (c *Client) withRetries(ctx context.Context, attempt func() (*protocol.DeliveryReport, error)) (*protocol.DeliveryReport, error) {
	for n := 1; ; n++ {
		rep, err := attempt()
		if err == nil || !c.cfg.retryable(err) {
			return rep, err
		}
		if n >= c.cfg.MaxAttempts {
			return nil, fmt.Errorf("emit failed after %d attempts: %w", n, err)
		}
		wait := c.backoff(n)
		c.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "emit: retrying",
			slog.Int("attempt", n), slog.Duration("wait", wait), slog.String("err", err.Error()))
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("emit retry: %w", err)
		}
	}
}

// backoff returns the wait after the n-th failed attempt: uniform in [0, ceiling), the
// ceiling doubling from RetryBaseDelay up to RetryMaxDelay ("full jitter", which spreads
// retrying agents apart instead of having them retry in step).
func (c *Client) backoff(n int) time.Duration {
	ceiling := c.cfg.RetryMaxDelay
	if shift := n - 1; shift < 30 {
		ceiling = min(c.cfg.RetryBaseDelay<<shift, c.cfg.RetryMaxDelay)
	}
	return rand.N(ceiling) + 1
}

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
