package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one figure of the report, with its ratio to the floor and its target if it has one.
type row struct {
	Scenario, Metric, Value, VsFloor, Target, Verdict string
}

// verdict renders a target check; "" when the figure has no target.
func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// rows renders the report. A figure gets a ratio to the floor only where the two measure the
// same kind of thing under the same kind of load: an unloaded latency to the unloaded loopback
// round trip, a saturated delivery rate to the saturated frame-write rate. Latencies taken
// under saturating concurrency (S1, S3's dialers) are mostly queueing, and a paced rate (S2)
// is whatever was offered, so neither gets one.
func (rep *report) rows() []row {
	f := rep.Floor
	http50 := ms(f.HTTPRTT.p50())
	vsRTT := func(d time.Duration, prec int) string {
		return fmt.Sprintf("%.*fx HTTP RTT", prec, ratio(ms(d), http50))
	}
	rows := []row{
		{"floor", "loopback HTTP round trip p50 / p99", msPair(f.HTTPRTT.p50(), f.HTTPRTT.p99()), "", "", ""},
		{"floor", "loopback HTTP requests/s (one client)", rate(f.HTTPPerSec), "", "", ""},
		{"floor", "raw WebSocket 200 B echo p50 / p99", msPair(f.WSEcho.p50(), f.WSEcho.p99()), vsRTT(f.WSEcho.p50(), 2), "", ""},
		{"floor", "raw WebSocket 200 B frame writes/s", rate(f.WSFramesSec), "", "", ""},
	}
	if s := rep.Delivery; s != nil {
		rows = append(rows,
			row{"S1", fmt.Sprintf("@connections deliveries/s (%d conns, %d workers)", s.Conns, s.Workers), rate(s.PerSec),
				fmt.Sprintf("%.2fx frame writes", ratio(s.PerSec, f.WSFramesSec)), ">= 10,000/s", verdict(s.PerSec >= 10000)},
			row{"S1", fmt.Sprintf("post-to-client latency p50 / p99 (%d workers, saturated)", s.Workers), msPair(s.Latency.p50(), s.Latency.p99()), "", "", ""},
			row{"S1", "posts failed / delivered", fmt.Sprintf("%d / %d", s.Failed, s.Delivered), "", "", ""},
		)
	}
	for _, s := range rep.Fanout {
		rows = append(rows, fanoutRows(s, vsRTT)...)
	}
	if s := rep.Connects; s != nil {
		rows = append(rows,
			row{"S3", fmt.Sprintf("$connect connects/s (%d dialers)", s.Workers), rate(s.PerSec), "", ">= 1,000/s", verdict(s.PerSec >= 1000)},
			row{"S3", fmt.Sprintf("connect latency p50 / p99 (%d dialers)", s.Workers), msPair(s.Connect.p50(), s.Connect.p99()), "", "", ""},
			row{"S3", "connect latency p50 / p99 (one dialer)", msPair(s.ConnectAlone.p50(), s.ConnectAlone.p99()), vsRTT(s.ConnectAlone.p50(), 1), "", ""},
			row{"S3", "CPU per connect by process", cpuPerOp(s.CPU, s.Opened), "", "", ""},
			row{"S3", fmt.Sprintf("host RSS per idle connection (%d open, %d failed)", s.Opened, s.Failed),
				fmt.Sprintf("%.1f KiB (RSS %.0f -> %.0f MiB)", s.BytesPerConn/1024, float64(s.RSSBefore)/(1<<20), float64(s.RSSAfter)/(1<<20)), "",
				"<= 16 KiB", verdict(s.BytesPerConn <= 16<<10)},
		)
	}
	if s := rep.Invoke; s != nil {
		rows = append(rows,
			row{"S4", "direct handler call p50 / p99", msPair(s.Direct.p50(), s.Direct.p99()), vsRTT(s.Direct.p50(), 2), "", ""},
			row{"S4", "warm invoke (Invoke + Runtime API) p50 / p99", msPair(s.Warm.p50(), s.Warm.p99()), vsRTT(s.Warm.p50(), 1),
				"p50 < 0.5 ms", verdict(s.Warm.p50() < 500*time.Microsecond)},
			row{"S4", fmt.Sprintf("cold invoke p50 / max (%d)", s.ColdSamples), msPair(s.Cold.p50(), s.Cold.pct(1)), vsRTT(s.Cold.p50(), 0), "", ""},
		)
	}
	if s := rep.Stream; s != nil {
		floorFrames := time.Duration(float64(s.Missed) / f.WSFramesSec * float64(time.Second))
		rows = append(rows,
			row{"S5", "DynamoDB PutItem of one stored event p50 / p99", msPair(s.Write.p50(), s.Write.p99()),
				fmt.Sprintf("%.1fx HTTP RTT", ratio(ms(s.Write.p50()), http50)), "", ""},
			row{"S5", "full path with storage, 1 conn, 200 B, one request at a time p50 / p99", msPair(s.Path.p50(), s.Path.p99()),
				fmt.Sprintf("%.1fx HTTP RTT (invoke p50 %.3f ms)", ratio(ms(s.Path.p50()), http50), ms(s.Invoke.p50())), "", ""},
			row{"S5", fmt.Sprintf("catch-up: resume of %d missed events to resumed p50 / max (%d)", s.Missed, s.CatchUp.count()),
				msPair(s.CatchUp.p50(), s.CatchUp.pct(1)),
				fmt.Sprintf("%.1fx %d HTTP RTTs, %.0fx %d floor frames", ratio(ms(s.CatchUp.p50()), http50*float64(s.Missed)), s.Missed,
					ratio(ms(s.CatchUp.p50()), ms(floorFrames)), s.Missed), "", ""},
		)
	}
	return rows
}

// fanoutRows are one S2 combination's latency and delivery rows.
func fanoutRows(s fanoutResult, vsRTT func(time.Duration, int) string) []row {
	name := fmt.Sprintf("%d users x %d conns x %s", s.Users, s.ConnsPerUser, size(s.Bytes))
	target, v := "", ""
	if s.Users == 100 && s.ConnsPerUser == 3 && s.Bytes == 200 {
		target = "p50 < 3 ms, p99 < 15 ms"
		v = verdict(s.Latency.p50() < 3*time.Millisecond && s.Latency.p99() < 15*time.Millisecond)
	}
	order := "order OK"
	if !s.orderOK() {
		order = fmt.Sprintf("ORDER/LOSS: %d bad, %d/%d delivered", s.OrderErrors, s.Delivered, s.Expected)
	}
	return []row{
		{"S2", name + " p50 / p99 / p999",
			fmt.Sprintf("%.2f / %.2f / %.2f ms", ms(s.Latency.p50()), ms(s.Latency.p99()), ms(s.Latency.p999())),
			vsRTT(s.Latency.p50(), 1), target, v},
		{"S2", name + " deliveries/s", fmt.Sprintf("%s of %s offered (%s, %d emit errors, invoke p50 %.2f ms)",
			rate(s.PerSec), rate(s.Offered), order, s.EmitErrors, ms(s.Invoke.p50())), "", "", ""},
	}
}

func msPair(a, b time.Duration) string { return fmt.Sprintf("%.3f / %.3f ms", ms(a), ms(b)) }

func rate(v float64) string { return fmt.Sprintf("%.0f/s", v) }

func size(b int) string {
	if b >= 1024 && b%1024 == 0 {
		return fmt.Sprintf("%d KiB", b/1024)
	}
	return fmt.Sprintf("%d B", b)
}

// printTable writes the rows as an aligned table.
func printTable(w io.Writer, rep *report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tMETRIC\tVALUE\tVS FLOOR\tTARGET\t")
	for _, r := range rep.rows() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\t\n", r.Scenario, r.Metric, r.Value, r.VsFloor, r.Target, r.Verdict)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "load average %s at the start, %s at the end (%s)\n", rep.Load[0], rep.Load[1], rep.Machine)
	for _, w2 := range rep.Warnings {
		fmt.Fprintln(w, "warning:", w2)
	}
}

// markdownResults renders the generated part of BENCHMARKS.md.
func markdownResults(rep *report, chartRel string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Latest run: %s on %s; took %s; 1-minute load average %s at the start, %s at the end",
		rep.Started.Format("2006-01-02 15:04 UTC"), rep.Machine, rep.Elapsed.Round(time.Second), rep.Load[0], rep.Load[1])
	if rep.Quick {
		b.WriteString(" (**--quick smoke sizes**: not representative)")
	}
	b.WriteString(".\n\n| Scenario | Metric | Value | vs floor | Target |\n|---|---|---|---|---|\n")
	for _, r := range rep.rows() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.Scenario, mdEscape(r.Metric), r.Value, r.VsFloor, strings.TrimSpace(r.Target+" "+r.Verdict))
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(&b, "\nWarning: %s\n", w)
	}
	if chartRel != "" {
		fmt.Fprintf(&b, "\n![Latency CDF](%s)\n\n%s\n", chartRel, chartLegend(rep))
	}
	return b.String()
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// cpuPerOp renders CPU milliseconds per operation for each process kind, largest first.
func cpuPerOp(share cpuShare, ops int) string {
	if ops == 0 {
		return "-"
	}
	kinds := make([]string, 0, len(share))
	for k := range share {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b string) int { return cmp.Compare(share[b], share[a]) })
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, ms(share[k])/float64(ops)))
	}
	return strings.Join(parts, ", ") + " ms"
}
