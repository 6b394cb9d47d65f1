package main

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	var r recorder
	for i := 1000; i >= 1; i-- { // reversed: order of recording must not matter
		r.record(time.Duration(i) * time.Millisecond)
	}
	d := r.dist()
	if d.count() != 1000 {
		t.Fatalf("count = %d, want 1000", d.count())
	}
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0, time.Millisecond}, {0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {0.999, 999 * time.Millisecond}, {1, time.Second}} {
		// Three significant digits: within 0.1 % of the exact sample.
		if got := d.pct(tc.q); got < tc.want*999/1000 || got > tc.want*1001/1000 {
			t.Errorf("pct(%v) = %v, want %v within 0.1%%", tc.q, got, tc.want)
		}
	}
	if (dist{}).p99() != 0 || (dist{}).count() != 0 {
		t.Error("empty distribution should give 0")
	}
}

// TestRecorderClamps checks that values outside the histogram's range are kept, not dropped.
func TestRecorderClamps(t *testing.T) {
	var r recorder
	r.record(-time.Second)
	r.record(time.Hour)
	d := r.dist()
	if d.count() != 2 || d.pct(0) > time.Microsecond || d.pct(1) < 9*time.Minute {
		t.Errorf("count %d, min %v, max %v", d.count(), d.pct(0), d.pct(1))
	}
}

// TestRowsRatios checks which figures carry a ratio to the floor: unloaded latencies and the
// saturated delivery rate do, paced delivery rates and saturated latencies do not.
func TestRowsRatios(t *testing.T) {
	rep := sampleReport()
	want := map[string]bool{
		"raw WebSocket 200 B echo p50 / p99":                      true,
		"@connections deliveries/s (4 conns, 4 workers)":          true,
		"post-to-client latency p50 / p99 (4 workers, saturated)": false,
		"2 users x 3 conns x 200 B p50 / p99 / p999":              true,
		"2 users x 3 conns x 200 B deliveries/s":                  false,
		"$connect connects/s (8 dialers)":                         false,
		"connect latency p50 / p99 (8 dialers)":                   false,
		"connect latency p50 / p99 (one dialer)":                  true,
		"warm invoke (Invoke + Runtime API) p50 / p99":            true,
	}
	seen := 0
	for _, r := range rep.rows() {
		if has, ok := want[r.Metric]; ok {
			seen++
			if (r.VsFloor != "") != has {
				t.Errorf("%s: vs floor %q, want a ratio: %v", r.Metric, r.VsFloor, has)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of %d rows", seen, len(want))
	}
}

// TestWriteChart draws a chart from a small report and checks that it is a PNG of the stated size.
func TestWriteChart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "latency.png")
	if err := writeChart(path, sampleReport()); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != chartPixelsWide || b.Dy() != chartPixelsHigh {
		t.Errorf("chart is %dx%d, want %dx%d", b.Dx(), b.Dy(), chartPixelsWide, chartPixelsHigh)
	}
	if legend := chartLegend(sampleReport()); !strings.Contains(legend, "S2 2x3x200B") || !strings.Contains(legend, "floor HTTP RTT") {
		t.Errorf("legend: %s", legend)
	}
}

// sampleReport is a report with every scenario filled from synthetic latencies.
func sampleReport() *report {
	spread := func(base time.Duration) dist {
		var r recorder
		for i := range 500 {
			r.record(base + time.Duration(i)*base/100)
		}
		return r.dist()
	}
	return &report{
		Floor:    floorResult{HTTPRTT: spread(30 * time.Microsecond), WSEcho: spread(20 * time.Microsecond), HTTPPerSec: 20000, WSFramesSec: 150000},
		Delivery: &deliveryResult{Conns: 4, Workers: 4, Posts: 500, Delivered: 500, PerSec: 12000, Latency: spread(2 * time.Millisecond)},
		Fanout: []fanoutResult{{Users: 2, ConnsPerUser: 3, Bytes: 200, Delivered: 500, Expected: 500, PerSec: 600, Offered: 600,
			Latency: spread(3 * time.Millisecond), Invoke: spread(3 * time.Millisecond)}},
		Connects: &connectsResult{Conns: 50, Workers: 8, Opened: 50, PerSec: 900, Connect: spread(20 * time.Millisecond),
			ConnectAlone: spread(2 * time.Millisecond), CPU: cpuShare{"host": time.Second}},
		Invoke: &invokeResult{Samples: 500, ColdSamples: 2, Direct: spread(20 * time.Microsecond), Warm: spread(500 * time.Microsecond),
			Cold: spread(8 * time.Millisecond)},
	}
}

// TestWriteResultsKeepsHandWrittenText checks that a rerun replaces only the generated part.
func TestWriteResultsKeepsHandWrittenText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := writeResults(path, "first"); err != nil {
		t.Fatal(err)
	}
	doc, _ := os.ReadFile(path)
	edited := strings.Replace(string(doc), "## How to reproduce", "## How to reproduce\n\nA note kept across runs.", 1)
	// An older wording of the begin marker is still recognised and replaced.
	edited = strings.Replace(edited, resultsBegin, resultsBeginPrefix+" (written by an older harness) -->", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeResults(path, "second"); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	for _, tc := range []struct {
		s    string
		want bool
	}{{"A note kept across runs.", true}, {"second", true}, {"first", false}, {resultsBegin, true}, {"older harness", false}} {
		if strings.Contains(string(got), tc.s) != tc.want {
			t.Errorf("contains %q = %v, want %v", tc.s, !tc.want, tc.want)
		}
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := parseConfig([]string{"--s2-users", "5", "--quick", "--scenarios", "s1,S3", "--root", t.TempDir()}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Quick || cfg.S2Users[0] != 5 || !cfg.Scenarios["S1"] || cfg.Scenarios["S2"] || !cfg.Scenarios["S3"] {
		t.Errorf("config: %+v", cfg)
	}
	if _, err := parseConfig([]string{"--scenarios", "S9"}, os.Stderr); err == nil {
		t.Error("unknown scenario accepted")
	}
}

// TestFindRepoRoot checks that the default root skips the bench module's own go.mod.
func TestFindRepoRoot(t *testing.T) {
	root, err := findRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "template.yaml")); err != nil {
		t.Errorf("root %s: %v", root, err)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if root != filepath.Dir(wd) {
		t.Errorf("root %s, want the parent of the bench module %s", root, wd)
	}
}
