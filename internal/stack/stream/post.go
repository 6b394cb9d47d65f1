package stream

import (
	"context"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/fanout"
)

// DefaultThrottleBudget is how long one answer may wait, in total, on its connection's 429s.
const DefaultThrottleBudget = 2 * time.Second

// deadlineMargin is how long before the invocation's deadline the answer stops posting, so
// the error frame saying it was cut short can still be posted. It is capped at a tenth of the
// time left when the answer starts.
const deadlineMargin = time.Second

// conn posts one answer's messages to its connection, one at a time and in order. All the
// posts of an answer share one throttle budget, spent as the fan-out spends its own
// (fanout.PostWithBudget).
type conn struct {
	poster Poster
	id     string
	budget time.Duration
}

func (c *conn) post(ctx context.Context, data []byte) error {
	return fanout.PostWithBudget(ctx, c.poster, c.id, data, &c.budget)
}
