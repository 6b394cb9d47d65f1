// Command agentbridge-bench measures the local agentbridge stack's speed and scale against the
// machine's own floor (loopback HTTP and raw WebSocket), starting the stack itself:
//
//	go run ./cmd/agentbridge-bench [--quick] [--scenarios S1,S2,S3,S4] [--out BENCHMARKS.md] [--chart docs/bench/latency.png]
//
// It builds cmd/agentbridge and runs `agentbridge dev --quiet` as a child process, so the host's
// memory is read from its own /proc entry and the benchmark's clients stay out of it. Progress
// goes to stderr; a table to stdout; BENCHMARKS.md and a latency CDF chart are rewritten.
//
// Scenarios: floor (always first), S1 @connections posts, S2 the full emit path, S3 $connect
// rate and idle memory, S4 invoke overhead. run.go sequences them; each has its own file.
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
