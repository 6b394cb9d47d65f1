// Command agentbridge-bench measures the local agentbridge stack's speed and scale against the
// machine's own floor (loopback HTTP and raw WebSocket), starting the stack itself:
//
//	cd bench && go run . [--quick] [--scenarios S1,S2,S3,S4] [--out BENCHMARKS.md] [--chart docs/bench/latency.png]
//
// It is a module of its own (bench/go.mod, the product replaced by the checkout above it), so
// its plotting, histogram and load-generation dependencies stay out of the product's module
// graph. Paths default to the repository root, the nearest directory above with go.mod and
// template.yaml.
//
// It builds cmd/agentbridge and runs `agentbridge dev --quiet` as a child process, so the host's
// memory is read from its own /proc entry and the benchmark's clients stay out of it. Progress
// goes to stderr; a table to stdout; BENCHMARKS.md and a latency CDF chart are rewritten.
//
// Scenarios: floor (always first, floor.go), S1 @connections delivery rate (delivery_rate.go),
// S2 fan-out latency of the full emit path (fanout_latency.go), S3 $connect rate and idle
// memory (connects.go), S4 invoke overhead (invoke_overhead.go). run.go sequences them.
// Latencies go into HDR histograms (stats.go); chart.go plots them with gonum/plot.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "agentbridge-bench:", err)
		os.Exit(1)
	}
}
