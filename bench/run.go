package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// report is everything one run measured.
type report struct {
	Started  time.Time
	Elapsed  time.Duration
	Quick    bool
	Machine  string
	Load     [2]string // /proc/loadavg's 1-minute figure at the start and the end
	Floor    floorResult
	Delivery *deliveryResult // S1
	Fanout   []fanoutResult  // S2
	Connects *connectsResult // S3
	Invoke   *invokeResult   // S4
	Stream   *streamResult   // S5
	Warnings []string
}

// run parses args, runs the benchmark and writes the table, BENCHMARKS.md and the chart.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	rep, err := execute(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	return publish(cfg, rep, stdout, stderr)
}

// execute measures the floor, then the scenarios: S1, S2, S4 and S5 on one host, S3 on a fresh
// one so its memory reading starts from a clean process.
func execute(ctx context.Context, cfg config, stderr io.Writer) (*report, error) {
	p := progress{w: stderr, start: time.Now()}
	rep := &report{Started: time.Now().UTC(), Quick: cfg.Quick, Machine: machine(), Load: [2]string{loadAverage(), ""}}
	defer func() { rep.Load[1] = loadAverage() }()
	if limit, err := raiseFileLimit(); err != nil || (cfg.Scenarios["S3"] && limit < uint64(cfg.S3Conns)+1024) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("open-file limit %d (%v) may be too low for %d connections", limit, err, cfg.S3Conns))
	}
	if cfg.WorkDir == "" {
		dir, err := os.MkdirTemp("", "agentbridge-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cfg.WorkDir = dir
	}
	p.printf("floor: loopback HTTP and WebSocket")
	var err error
	if rep.Floor, err = measureFloor(ctx, cfg); err != nil {
		return nil, err
	}
	p.printf("floor: HTTP round trip p50 %.3f ms, WebSocket echo p50 %.3f ms, %.0f frames/s",
		ms(rep.Floor.HTTPRTT.p50()), ms(rep.Floor.WSEcho.p50()), rep.Floor.WSFramesSec)
	bin := cfg.HostBin
	if bin == "" {
		p.printf("building cmd/agentbridge")
		if bin, err = buildHost(ctx, cfg.Root, cfg.WorkDir); err != nil {
			return nil, err
		}
	}
	if err := runOnHost(ctx, cfg, bin, rep, p); err != nil {
		return nil, err
	}
	rep.Elapsed = time.Since(p.start)
	return rep, nil
}

func runOnHost(ctx context.Context, cfg config, bin string, rep *report, p progress) error {
	if cfg.Scenarios["S1"] || cfg.Scenarios["S2"] || cfg.Scenarios["S4"] || cfg.Scenarios["S5"] {
		if err := withHost(ctx, cfg, bin, p, func(h *hostProc) error { return runShared(ctx, cfg, h, rep, p) }); err != nil {
			return err
		}
	}
	if cfg.Scenarios["S3"] {
		return withHost(ctx, cfg, bin, p, func(h *hostProc) error {
			r, err := runConnects(ctx, cfg, h, p)
			rep.Connects = &r
			p.printf("S3: %d connections at %.0f/s, %.0f B host RSS each", r.Opened, r.PerSec, r.BytesPerConn)
			return err
		})
	}
	return nil
}

func runShared(ctx context.Context, cfg config, h *hostProc, rep *report, p progress) error {
	if cfg.Scenarios["S1"] {
		r, err := runDeliveryRate(ctx, cfg, h, p)
		if err != nil {
			return err
		}
		rep.Delivery = &r
		p.printf("S1: %d delivered at %.0f/s, p50 %.3f ms p99 %.3f ms", r.Delivered, r.PerSec, ms(r.Latency.p50()), ms(r.Latency.p99()))
	}
	if cfg.Scenarios["S4"] {
		r, err := runInvokeOverhead(ctx, cfg, h, p)
		if err != nil {
			return err
		}
		rep.Invoke = &r
	}
	if cfg.Scenarios["S2"] {
		r, err := runFanout(ctx, cfg, h, p)
		rep.Fanout = r
		if err != nil {
			return err
		}
	}
	if cfg.Scenarios["S5"] {
		r, err := runStream(ctx, cfg, h, p)
		if err != nil {
			return err
		}
		rep.Stream = &r
	}
	return nil
}

func withHost(ctx context.Context, cfg config, bin string, p progress, fn func(*hostProc) error) error {
	p.printf("starting the local stack (agentbridge dev --quiet)")
	h, err := startHost(ctx, bin, cfg.Root)
	if err != nil {
		return err
	}
	p.printf("stack up on %s", h.addr)
	defer func() {
		p.printf("stopping the local stack")
		h.stop()
	}()
	return fn(h)
}

// machine describes where the numbers come from.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs (%s), %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), model, runtime.Version())
}

// loadAverage is the 1-minute load average: other work on the machine shows in every figure,
// so the report states it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
