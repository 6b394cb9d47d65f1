package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestQuickRun runs the whole harness at smoke sizes against a real local stack (child host
// process, function processes, dynalite) and checks that every scenario produced samples,
// that S2 saw every event in order, and that the table, BENCHMARKS.md and the chart are
// written. It asserts nothing about speed.
func TestQuickRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute) // hang guard
	defer cancel()
	dir := t.TempDir()
	out, chart := filepath.Join(dir, "BENCHMARKS.md"), filepath.Join(dir, "docs", "latency.png")
	cfg, err := parseConfig([]string{"--quick", "--out", out, "--chart", chart, "--workdir", dir}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	rep, err := execute(ctx, cfg, &progress)
	if err != nil {
		t.Fatalf("execute: %v\n%s", err, progress.String())
	}
	checkReport(t, rep)
	var table bytes.Buffer
	if err := publish(cfg, rep, &table, &progress); err != nil {
		t.Fatal(err)
	}
	checkOutputs(t, table.String(), out, chart)
}

func checkReport(t *testing.T, rep *report) {
	t.Helper()
	if rep.Floor.HTTPRTT.count() == 0 || rep.Floor.WSEcho.count() == 0 || rep.Floor.WSFramesSec <= 0 {
		t.Errorf("floor not measured: %+v", rep.Floor)
	}
	if rep.Delivery == nil || rep.Delivery.Delivered != rep.Delivery.Posts || rep.Delivery.Failed != 0 {
		t.Errorf("S1: %+v", rep.Delivery)
	}
	if len(rep.Fanout) == 0 {
		t.Error("S2: no results")
	}
	for _, s := range rep.Fanout {
		if s.Delivered == 0 || !s.orderOK() || s.EmitErrors != 0 {
			t.Errorf("S2 %dx%dx%d: delivered %d/%d, order errors %d, emit errors %d",
				s.Users, s.ConnsPerUser, s.Bytes, s.Delivered, s.Expected, s.OrderErrors, s.EmitErrors)
		}
	}
	if rep.Connects == nil || rep.Connects.Opened != rep.Connects.Conns || rep.Connects.RSSAfter == 0 {
		t.Errorf("S3: %+v", rep.Connects)
	}
	if rep.Invoke == nil || rep.Invoke.Direct.count() == 0 || rep.Invoke.Warm.count() == 0 || rep.Invoke.Cold.count() == 0 {
		t.Errorf("S4: %+v", rep.Invoke)
	}
	if rep.Stream == nil || rep.Stream.Write.count() == 0 || rep.Stream.Path.count() == 0 || rep.Stream.CatchUp.count() == 0 {
		t.Errorf("S5: %+v", rep.Stream)
	}
}

func checkOutputs(t *testing.T, table, out, chart string) {
	t.Helper()
	for _, s := range []string{"floor", "S1", "S2", "S3", "S4", "S5"} {
		if !strings.Contains(table, "\n"+s+" ") {
			t.Errorf("table has no %s row:\n%s", s, table)
		}
	}
	doc, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{resultsBegin, resultsEnd, "## How to reproduce", "| S2 |", "order OK", "latency.png"} {
		if !strings.Contains(string(doc), s) {
			t.Errorf("BENCHMARKS.md lacks %q", s)
		}
	}
	f, err := os.Open(chart)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if img, err := png.Decode(f); err != nil || img.Bounds().Dx() != chartPixelsWide {
		t.Errorf("chart: %v, want a PNG %d pixels wide", err, chartPixelsWide)
	}
}
