package subscribe

import (
	"math/rand/v2"
	"time"
)

// backoff yields reconnect delays: the ceiling starts at min and doubles per failure up to
// max, and each delay is drawn uniformly from [0, ceiling] ("full jitter"), so many clients
// dropped at once do not return at once.
type backoff struct {
	min, max time.Duration
	failures int
}

func (b *backoff) next() time.Duration {
	// Double step by step rather than shift, so a large min cannot overflow into a negative
	// ceiling during a long outage.
	ceiling := b.min
	for i := 0; i < b.failures && ceiling < b.max; i++ {
		ceiling *= 2
	}
	ceiling = min(ceiling, b.max)
	b.failures++
	return rand.N(max(ceiling, 0) + 1)
}

func (b *backoff) reset() { b.failures = 0 }
