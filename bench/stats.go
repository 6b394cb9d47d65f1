package main

import (
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Every latency goes into an HDR histogram of nanoseconds from 1 ns to 10 minutes at three
// significant digits: a percentile is within 0.1 % of the sample it stands for, and memory is
// a fixed few hundred KiB per distribution however many samples a run takes.
const (
	histLowest  = 1
	histHighest = int64(10 * time.Minute)
	histDigits  = 3
)

// dist is a finished latency distribution; its zero value is empty.
type dist struct {
	h *hdrhistogram.Histogram
}

func (d dist) count() int {
	if d.h == nil {
		return 0
	}
	return int(d.h.TotalCount())
}

// pct returns the q-quantile (0..1): the smallest recorded value at q=0, the largest at q=1;
// zero when empty.
func (d dist) pct(q float64) time.Duration {
	switch {
	case d.count() == 0:
		return 0
	case q <= 0:
		return time.Duration(d.h.Min())
	case q >= 1:
		return time.Duration(d.h.Max())
	}
	return time.Duration(d.h.ValueAtQuantile(q * 100))
}

func (d dist) p50() time.Duration  { return d.pct(0.50) }
func (d dist) p99() time.Duration  { return d.pct(0.99) }
func (d dist) p999() time.Duration { return d.pct(0.999) }

// recorder gathers latencies from many goroutines; its zero value is ready to use.
type recorder struct {
	mu sync.Mutex
	h  *hdrhistogram.Histogram
}

// record adds one latency, clamped to the histogram's range.
func (r *recorder) record(d time.Duration) {
	v := min(max(int64(d), histLowest), histHighest)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.h == nil {
		r.h = hdrhistogram.New(histLowest, histHighest, histDigits)
	}
	_ = r.h.RecordValue(v) // v is within range, so this cannot fail
}

// dist returns a copy of what has been recorded so far.
func (r *recorder) dist() dist {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.h == nil {
		return dist{}
	}
	return dist{h: hdrhistogram.Import(r.h.Export())}
}

// ms renders a duration in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// ratio is a/b, or 0 when b is zero.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
