package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPercentiles(t *testing.T) {
	samples := make([]time.Duration, 1000)
	for i := range samples {
		samples[len(samples)-1-i] = time.Duration(i+1) * time.Millisecond // reversed: dist sorts
	}
	d := newDist(samples)
	for _, tc := range []struct {
		q    float64
		want time.Duration
	}{{0, time.Millisecond}, {0.5, 500 * time.Millisecond}, {0.99, 990 * time.Millisecond}, {0.999, 999 * time.Millisecond}, {1, time.Second}} {
		if got := d.pct(tc.q); got != tc.want {
			t.Errorf("pct(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if (dist{}).p99() != 0 {
		t.Error("empty distribution should give 0")
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
	}{{"A note kept across runs.", true}, {"second", true}, {"first", false}} {
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
