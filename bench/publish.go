package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The generated part of BENCHMARKS.md sits between these markers; everything outside them is
// hand-written and kept as it is. The begin marker is found by its prefix, so a rewording of
// its note replaces an older one instead of losing the hand-written part.
const (
	resultsBeginPrefix = "<!-- results:begin"
	resultsBegin       = resultsBeginPrefix + " (written by make bench from bench/; edits inside are overwritten) -->"
	resultsEnd         = "<!-- results:end -->"
)

// publish prints the table and writes the chart and BENCHMARKS.md.
func publish(cfg config, rep *report, stdout, stderr io.Writer) error {
	printTable(stdout, rep)
	chartRel := ""
	if cfg.Chart != "-" {
		if err := writeChart(cfg.Chart, rep); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "chart written to", cfg.Chart)
		chartRel = relativeTo(cfg.Out, cfg.Chart)
	}
	if cfg.Out == "-" {
		return nil
	}
	if err := writeResults(cfg.Out, markdownResults(rep, chartRel)); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "results written to", cfg.Out)
	return nil
}

// writeResults replaces the generated part of path, or creates the file with the default
// hand-written part around it.
func writeResults(path, results string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	doc := string(old)
	i, j := strings.Index(doc, resultsBeginPrefix), strings.Index(doc, resultsEnd)
	if i < 0 || j < i || !strings.Contains(doc[i:j], "-->") {
		doc = defaultDocument
		i, j = strings.Index(doc, resultsBeginPrefix), strings.Index(doc, resultsEnd)
	}
	doc = doc[:i] + resultsBegin + "\n" + results + "\n" + doc[j:]
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}

// relativeTo is target relative to the directory of doc, with forward slashes for Markdown.
func relativeTo(doc, target string) string {
	rel, err := filepath.Rel(filepath.Dir(doc), target)
	if err != nil {
		return filepath.ToSlash(target)
	}
	return filepath.ToSlash(rel)
}

// defaultDocument is BENCHMARKS.md when none exists yet.
const defaultDocument = `# Benchmarks

How fast the local stack (` + "`agentbridge dev`" + `) moves agent events, and how many connections it
holds, measured against this machine's own floor in the same run.

` + resultsBegin + `
` + resultsEnd + `

## How to reproduce

    make bench                                  # full run, about 5 minutes on 2 cores
    make bench BENCH_FLAGS=--quick              # smoke sizes, seconds
    cd bench && go run . --scenarios S1,S3 --s3-conns 5000
    make bench-smoke                            # the harness's own tests and a --quick run

` + "`make bench`" + ` runs ` + "`npm ci`" + ` (for dynalite), builds ` + "`cmd/agentbridge`" + ` and runs
` + "`agentbridge dev --quiet`" + ` as a child process on a free 127.0.0.1 port; the benchmark's clients run in
its own process. It rewrites the results section above and ` + "`docs/bench/latency.png`" + `; the rest
of this file is kept. ` + "`cd bench && go run . -h`" + ` lists every size and count. The harness is a
module of its own under ` + "`bench/`" + ` (the product replaced by this checkout), so its plotting
(gonum/plot) and histogram (HdrHistogram) dependencies are not in the product's ` + "`go.mod`" + `.
Latencies are recorded in HDR histograms at three significant digits, so percentiles are
within 0.1 % of the samples they stand for.

What each figure is:

- **Floor**: a keep-alive HTTP POST of 200 B to a Go server on 127.0.0.1 (round trip and
  sequential requests/s), a 200 B WebSocket frame echoed by a coder/websocket server, and the
  rate at which that server writes 200 B frames to one reader. A figure is given as a ratio to
  the floor only where both measure the same thing under the same kind of load: unloaded
  latencies to the HTTP round trip p50, S1's saturated delivery rate to the frame rate.
  Latencies under saturating concurrency (S1's posters, S3's 32 dialers) are mostly queueing,
  and S2's rates are whatever its paced agents offered, so those get none.
- **S1 gateway**: POST /{stage}/@connections/{id} straight to the host, round-robin over C
  connections of one user, from many concurrent posters; each body carries its send time, and
  each client reads its frames and records post-to-client latency.
- **S2 full path**: for every users x connections per user x payload size, real WebSocket
  clients connect with dev tokens through ` + "`$connect`" + `; one agent per user emits agent_thinking
  events through package ` + "`client`" + ` (the Lambda SDK against the host's Invoke API), so each event
  runs the Emit function (Runtime API), a DynamoDB query on dynalite and one @connections post
  per connection. Agents are paced so that together they offer ` + "`--s2-rate`" + ` emits/s (200 by
  default): latency is measured at that load, not at saturation. Each event carries its send
  time; each client checks that seq arrives in order with nothing lost or repeated.
- **S3 connections**: a fresh host; dialers open ` + "`--s3-conns`" + ` raw WebSockets (10,000 by
  default) with pre-minted tokens, each through ` + "`$connect`" + ` (token check in the Connect function,
  a real process, and a PutItem on dynalite). Memory is the host process's VmRSS from
  /proc/PID/status before and after, divided by the connections; function processes and dynalite
  are not counted.
- **S4 invoke overhead**: the Connect function given a real $connect capture without a token
  (it answers 401 without touching DynamoDB), so the time is the calling, not the work: called
  in-process, invoked warm through the host's Invoke API and Runtime API, and invoked cold on a
  fresh Lambda host (process start and init included).
- **S5 stream**: a PutItem of one stored event on the host's DynamoDB, the full path for one
  200 B event to one tab with one request at a time (storage included), and a tab that missed
  ` + "`--s5-missed`" + ` events (1,000) resuming from 0, timed from the resume to its ` + "`resumed`" + ` answer.
`
