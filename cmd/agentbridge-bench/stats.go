package main

import (
	"slices"
	"time"
)

// dist is an exact latency distribution: every sample kept and sorted, so percentiles are
// the samples themselves rather than bucket estimates.
type dist struct {
	sorted []time.Duration
}

func newDist(samples []time.Duration) dist {
	s := slices.Clone(samples)
	slices.Sort(s)
	return dist{sorted: s}
}

func (d dist) count() int { return len(d.sorted) }

// pct returns the q-quantile (0..1) by the nearest-rank method; zero when empty.
func (d dist) pct(q float64) time.Duration {
	n := len(d.sorted)
	if n == 0 {
		return 0
	}
	rank := int(q*float64(n)+0.999999) - 1
	rank = max(0, min(rank, n-1))
	return d.sorted[rank]
}

func (d dist) p50() time.Duration  { return d.pct(0.50) }
func (d dist) p99() time.Duration  { return d.pct(0.99) }
func (d dist) p999() time.Duration { return d.pct(0.999) }

// ms renders a duration in milliseconds with three decimals.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ratio is a/b, or 0 when b is zero.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
