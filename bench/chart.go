package main

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// series is one latency distribution on the chart.
type series struct {
	name  string
	color color.RGBA
	d     dist
}

var palette = []color.RGBA{
	{0x99, 0x99, 0x99, 0xff}, {0x44, 0x44, 0x44, 0xff}, {0x1f, 0x77, 0xb4, 0xff}, {0xd6, 0x27, 0x28, 0xff},
	{0x2c, 0xa0, 0x2c, 0xff}, {0xff, 0x7f, 0x0e, 0xff}, {0x94, 0x67, 0xbd, 0xff}, {0x8c, 0x56, 0x4b, 0xff},
	{0xe3, 0x77, 0xc2, 0xff}, {0x17, 0xbe, 0xcf, 0xff},
}

// chartSeries picks the distributions worth comparing: the floor, S1, S4's warm invoke, and
// from S2 the smallest payload at every user count plus every size at the target's user count,
// all at the most connections per user.
func chartSeries(rep *report) []series {
	var out []series
	add := func(name string, d dist) {
		if d.count() > 0 && len(out) < len(palette) {
			out = append(out, series{name: name, color: palette[len(out)], d: d})
		}
	}
	add("floor HTTP RTT", rep.Floor.HTTPRTT)
	add("floor WS echo", rep.Floor.WSEcho)
	if rep.Delivery != nil {
		add("S1 post to client", rep.Delivery.Latency)
	}
	if rep.Invoke != nil {
		add("S4 warm invoke", rep.Invoke.Warm)
	}
	maxK, minSize, focus := 0, math.MaxInt, 0
	for _, s := range rep.Fanout {
		maxK, minSize = max(maxK, s.ConnsPerUser), min(minSize, s.Bytes)
		if focus == 0 || s.Users == 100 {
			focus = s.Users
		}
	}
	for _, s := range rep.Fanout {
		if s.ConnsPerUser == maxK && (s.Bytes == minSize || s.Users == focus) {
			add(fmt.Sprintf("S2 %dx%dx%s", s.Users, s.ConnsPerUser, strings.ReplaceAll(size(s.Bytes), " ", "")), s.Latency)
		}
	}
	return out
}

// chartLegend describes the chart in words for BENCHMARKS.md.
func chartLegend(rep *report) string {
	var b strings.Builder
	b.WriteString("Latency by percentile (x: percentile on a log scale of 1/(1-p); y: milliseconds, log scale). Series:")
	for _, s := range chartSeries(rep) {
		fmt.Fprintf(&b, " %s (#%02x%02x%02x, p50 %.3f ms);", s.name, s.color.R, s.color.G, s.color.B, ms(s.d.p50()))
	}
	return strings.TrimSuffix(b.String(), ";") + "."
}

// Chart size: chartPixelsWide x chartPixelsHigh as a PNG, which the image back end writes at
// vgimg.DefaultDPI; wide enough for the tail percentiles to separate.
const (
	chartPixelsWide, chartPixelsHigh = 1100, 640
	chartW                           = chartPixelsWide * vg.Inch / vgimg.DefaultDPI
	chartH                           = chartPixelsHigh * vg.Inch / vgimg.DefaultDPI
)

// percentileTicks label x = 1/(1-p) with the percentile p it stands for.
var percentileTicks = []plot.Tick{
	{Value: 1, Label: "0"}, {Value: 2, Label: "50"}, {Value: 10, Label: "90"},
	{Value: 100, Label: "99"}, {Value: 1e3, Label: "99.9"}, {Value: 1e4, Label: "99.99"},
}

// writeChart plots every series' latency by percentile, both axes logarithmic, and saves it
// at path in the format its extension names (.png, .svg, .pdf).
func writeChart(path string, rep *report) error {
	p, err := latencyPlot(chartSeries(rep))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := p.Save(chartW, chartH, path); err != nil {
		return fmt.Errorf("save chart: %w", err)
	}
	return nil
}

func latencyPlot(ss []series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "Latency by percentile"
	p.X.Label.Text = "percentile"
	p.Y.Label.Text = "milliseconds"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = plot.ConstantTicks(percentileTicks)
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(12), vg.Points(-8)
	for _, st := range []*text.Style{&p.Title.TextStyle, &p.X.Label.TextStyle, &p.Y.Label.TextStyle, &p.X.Tick.Label, &p.Y.Tick.Label, &p.Legend.TextStyle} {
		st.Font.Variant = "Sans"
	}
	p.Title.TextStyle.Font.Size = vg.Points(15)
	p.Add(plotter.NewGrid())
	// Fixed decade bounds: a log axis must stay above zero even when no series is drawn.
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, s := range ss {
		lo, hi, n = math.Min(lo, ms(s.d.pct(0))), math.Max(hi, ms(s.d.pct(1))), max(n, s.d.count())
	}
	if math.IsInf(lo, 0) || lo <= 0 {
		lo, hi = 0.01, 1
	}
	p.Y.Min, p.Y.Max = math.Pow(10, math.Floor(math.Log10(lo))), math.Pow(10, math.Ceil(math.Log10(hi)))
	if p.Y.Max <= p.Y.Min {
		p.Y.Max = p.Y.Min * 10
	}
	p.X.Min, p.X.Max = 1, math.Pow(10, math.Max(1, math.Min(4, math.Ceil(math.Log10(float64(max(n, 10)))))))
	for _, s := range ss {
		line, err := plotter.NewLine(percentileCurve(s.d, math.Log10(p.X.Max)))
		if err != nil {
			return nil, fmt.Errorf("chart series %s: %w", s.name, err)
		}
		line.Color, line.Width = s.color, vg.Points(1.5)
		p.Add(line)
		p.Legend.Add(s.name, line)
	}
	return p, nil
}

// percentileCurve samples d at evenly spaced points of log10(1/(1-p)) up to tMax, stopping
// where the sample count no longer resolves the percentile.
func percentileCurve(d dist, tMax float64) plotter.XYs {
	const steps = 400
	n := float64(d.count())
	pts := make(plotter.XYs, 0, steps+1)
	for i := 0; i <= steps; i++ {
		t := float64(i) / steps * tMax
		q := 1 - math.Pow(10, -t)
		if i > 0 && q > 1-1/n {
			break
		}
		pts = append(pts, plotter.XY{X: math.Pow(10, t), Y: math.Max(ms(d.pct(q)), 1e-6)})
	}
	return pts
}
