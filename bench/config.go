package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// config is the benchmark's configuration, read once from flags. Every field has a full-run
// default; --quick swaps in the smoke sizes before explicit flags apply.
type config struct {
	Quick     bool
	Scenarios map[string]bool // default all of S1..S5
	Root      string          // repository root; default: the nearest directory above with go.mod and template.yaml
	Out       string          // default "BENCHMARKS.md" under Root; "-" writes none
	Chart     string          // default "docs/bench/latency.png" under Root; "-" writes none
	WorkDir   string          // scratch directory for the host binary; default a temp dir
	HostBin   string          // host binary speaking `dev --quiet --port N --template T`; default: build cmd/agentbridge

	FloorSamples int // loopback HTTP round trips and WebSocket echoes; default 5000
	FloorFrames  int // one-way frames for the WebSocket write rate; default 100000

	S1Conns   int // connections posted to; default 100
	S1Posts   int // total posts; default 100000
	S1Workers int // concurrent posters; default 64
	S1Bytes   int // post body size; default 200

	S2Users []int // default 10,100,1000
	S2Conns []int // connections per user; default 1,3
	S2Sizes []int // event payload bytes; default 200,4096,40960
	S2Total int   // events per combination (split across users, at least 2 each); default 2000
	S2Rate  int   // offered emits per second across all agents; default 200

	S3Conns   int // idle connections opened; default 10000
	S3Workers int // concurrent dialers; default 32

	S4Samples int // direct calls and warm invokes each; default 2000
	S4Cold    int // cold invokes; default 10

	S5Samples int // stored-event writes and full-path emits each; default 500
	S5Missed  int // events a catch-up resumes; default 1000
	S5Rounds  int // catch-ups timed; default 5
}

var allScenarios = []string{"S1", "S2", "S3", "S4", "S5"}

func fullConfig() config {
	return config{
		FloorSamples: 5000, FloorFrames: 100000,
		S1Conns: 100, S1Posts: 100000, S1Workers: 64, S1Bytes: 200,
		S2Users: []int{10, 100, 1000}, S2Conns: []int{1, 3}, S2Sizes: []int{200, 4096, 40960},
		S2Total: 2000, S2Rate: 200,
		S3Conns: 10000, S3Workers: 32,
		S4Samples: 2000, S4Cold: 10,
		S5Samples: 500, S5Missed: 1000, S5Rounds: 5,
	}
}

func quickConfig() config {
	return config{
		FloorSamples: 200, FloorFrames: 2000,
		S1Conns: 4, S1Posts: 400, S1Workers: 4, S1Bytes: 200,
		S2Users: []int{2}, S2Conns: []int{1, 2}, S2Sizes: []int{200, 4096},
		S2Total: 20, S2Rate: 200,
		S3Conns: 50, S3Workers: 8,
		S4Samples: 50, S4Cold: 2,
		S5Samples: 20, S5Missed: 50, S5Rounds: 1,
	}
}

// parseConfig reads flags. --quick is looked for first so that explicit sizes override it.
func parseConfig(args []string, stderr io.Writer) (config, error) {
	cfg := fullConfig()
	for _, a := range args {
		if a == "--quick" || a == "-quick" || a == "--quick=true" || a == "-quick=true" {
			cfg = quickConfig()
		}
	}
	fs := flag.NewFlagSet("agentbridge-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.Quick, "quick", false, "smoke sizes: tiny counts, seconds")
	scen := fs.String("scenarios", strings.Join(allScenarios, ","), "scenarios to run (the floor always runs)")
	fs.StringVar(&cfg.Root, "root", "", "repository root (default: nearest directory above with go.mod and template.yaml)")
	fs.StringVar(&cfg.Out, "out", "", `results file (default BENCHMARKS.md in the root; "-" for none)`)
	fs.StringVar(&cfg.Chart, "chart", "", `latency chart PNG (default docs/bench/latency.png in the root; "-" for none)`)
	fs.StringVar(&cfg.WorkDir, "workdir", "", "scratch directory (default: a temporary one)")
	fs.StringVar(&cfg.HostBin, "host-bin", "", "run this agentbridge binary instead of building cmd/agentbridge (to compare builds)")
	fs.IntVar(&cfg.FloorSamples, "floor-samples", cfg.FloorSamples, "floor round trips")
	fs.IntVar(&cfg.FloorFrames, "floor-frames", cfg.FloorFrames, "floor one-way WebSocket frames")
	fs.IntVar(&cfg.S1Conns, "s1-conns", cfg.S1Conns, "S1 connections")
	fs.IntVar(&cfg.S1Posts, "s1-posts", cfg.S1Posts, "S1 total posts")
	fs.IntVar(&cfg.S1Workers, "s1-workers", cfg.S1Workers, "S1 concurrent posters")
	fs.IntVar(&cfg.S1Bytes, "s1-bytes", cfg.S1Bytes, "S1 post body bytes")
	fs.Var(intList{&cfg.S2Users}, "s2-users", "S2 users, comma-separated")
	fs.Var(intList{&cfg.S2Conns}, "s2-conns", "S2 connections per user, comma-separated")
	fs.Var(intList{&cfg.S2Sizes}, "s2-sizes", "S2 event payload bytes, comma-separated")
	fs.IntVar(&cfg.S2Total, "s2-events", cfg.S2Total, "S2 events per combination")
	fs.IntVar(&cfg.S2Rate, "s2-rate", cfg.S2Rate, "S2 offered emits per second")
	fs.IntVar(&cfg.S3Conns, "s3-conns", cfg.S3Conns, "S3 idle connections")
	fs.IntVar(&cfg.S3Workers, "s3-workers", cfg.S3Workers, "S3 concurrent dialers")
	fs.IntVar(&cfg.S4Samples, "s4-samples", cfg.S4Samples, "S4 direct and warm samples")
	fs.IntVar(&cfg.S4Cold, "s4-cold", cfg.S4Cold, "S4 cold invokes")
	fs.IntVar(&cfg.S5Samples, "s5-samples", cfg.S5Samples, "S5 DynamoDB writes and full-path emits")
	fs.IntVar(&cfg.S5Missed, "s5-missed", cfg.S5Missed, "S5 events a tab misses and resumes")
	fs.IntVar(&cfg.S5Rounds, "s5-rounds", cfg.S5Rounds, "S5 catch-ups timed")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if cfg.Scenarios, err = parseScenarios(*scen); err != nil {
		return cfg, err
	}
	return cfg.resolvePaths()
}

func parseScenarios(s string) (map[string]bool, error) {
	set := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.ToUpper(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if !slices.Contains(allScenarios, name) {
			return nil, fmt.Errorf("--scenarios: unknown scenario %q (want %s)", name, strings.Join(allScenarios, ","))
		}
		set[name] = true
	}
	return set, nil
}

func (c config) resolvePaths() (config, error) {
	if c.Root == "" {
		root, err := findRepoRoot()
		if err != nil {
			return c, err
		}
		c.Root = root
	}
	if c.Out == "" {
		c.Out = filepath.Join(c.Root, "BENCHMARKS.md")
	}
	if c.Chart == "" {
		c.Chart = filepath.Join(c.Root, "docs", "bench", "latency.png")
	}
	return c, nil
}

// findRepoRoot walks up from the working directory to the product's root: the one with both
// go.mod and template.yaml, so the bench module's own go.mod is passed over.
func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isFile(filepath.Join(dir, "go.mod")) && isFile(filepath.Join(dir, "template.yaml")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no directory with go.mod and template.yaml above the working directory; pass --root")
		}
		dir = parent
	}
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// intList is a comma-separated list of positive integers as a flag.
type intList struct{ p *[]int }

func (l intList) String() string {
	if l.p == nil {
		return ""
	}
	parts := make([]string, len(*l.p))
	for i, v := range *l.p {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

func (l intList) Set(s string) error {
	var out []int
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return fmt.Errorf("%q is not a positive integer", f)
		}
		out = append(out, v)
	}
	*l.p = out
	return nil
}

// progress prints one line of progress to stderr with the time since start.
type progress struct {
	w     io.Writer
	start time.Time
}

func (p progress) printf(format string, args ...any) {
	fmt.Fprintf(p.w, "[%6.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}
