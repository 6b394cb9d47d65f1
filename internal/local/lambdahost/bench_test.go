package lambdahost

import (
	"testing"
)

// BenchmarkWarmInvoke measures an in-process Invoke of a warm function: the
// Runtime API round trip through a real process, without the cold start.
func BenchmarkWarmInvoke(b *testing.B) {
	h := newHost(b, Config{}, FunctionSpec{Name: "Echo"})
	payload := []byte(`{"action":"echo","data":"bench"}`)
	invoke(b, h, "Echo", string(payload)) // cold start outside the timing
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		r, err := h.Invoke(ctx, "Echo", payload)
		if err != nil || r.FunctionError != "" {
			b.Fatalf("invoke: %v %s", err, r.Payload)
		}
	}
}
