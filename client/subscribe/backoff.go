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
	ceiling := b.max
	if b.failures < 32 { // beyond that the shift overflows; max has long been reached
		ceiling = min(b.max, b.min<<b.failures)
	}
	b.failures++
	return rand.N(ceiling + 1)
}

func (b *backoff) reset() { b.failures = 0 }
