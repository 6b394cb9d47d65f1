package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
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
	if rep.S1 != nil {
		add("S1 post to client", rep.S1.Latency)
	}
	if rep.S4 != nil {
		add("S4 warm invoke", rep.S4.Warm)
	}
	maxK, minSize, focus := 0, math.MaxInt, 0
	for _, s := range rep.S2 {
		maxK, minSize = max(maxK, s.ConnsPerUser), min(minSize, s.Bytes)
		if focus == 0 || s.Users == 100 {
			focus = s.Users
		}
	}
	for _, s := range rep.S2 {
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

const (
	chartW, chartH                    = 1100, 640
	padLeft, padRight, padTop, padBot = 110, 30, 60, 70
	fontScale                         = 2
)

// writeChart draws the percentile chart as a PNG at path.
func writeChart(path string, rep *report) error {
	ss := chartSeries(rep)
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	fillRect(img, 0, 0, chartW, chartH, color.White)
	ax := newAxes(ss)
	ax.draw(img)
	for _, s := range ss {
		ax.plot(img, s)
	}
	drawLegend(img, ss)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode chart: %w", err)
	}
	return f.Close()
}

// axes maps percentiles and latencies to pixels: x is log10(1/(1-p)), y is log10(ms).
type axes struct {
	tMax         float64 // rightmost x in log10(1/(1-p))
	yLo, yHi     float64 // decades of milliseconds
	plotW, plotH int
}

func newAxes(ss []series) axes {
	lo, hi, n := math.Inf(1), math.Inf(-1), 0
	for _, s := range ss {
		lo = math.Min(lo, ms(s.d.pct(0)))
		hi = math.Max(hi, ms(s.d.pct(1)))
		n = max(n, s.d.count())
	}
	if math.IsInf(lo, 0) || lo <= 0 {
		lo, hi = 0.01, 1
	}
	a := axes{yLo: math.Floor(math.Log10(lo)), yHi: math.Ceil(math.Log10(hi)), plotW: chartW - padLeft - padRight, plotH: chartH - padTop - padBot}
	if a.yHi <= a.yLo {
		a.yHi = a.yLo + 1
	}
	a.tMax = math.Max(1, math.Min(4, math.Ceil(math.Log10(float64(max(n, 10))))))
	return a
}

func (a axes) x(t float64) int { return padLeft + int(t/a.tMax*float64(a.plotW)) }

func (a axes) y(msv float64) int {
	v := (math.Log10(math.Max(msv, 1e-6)) - a.yLo) / (a.yHi - a.yLo)
	return padTop + a.plotH - int(math.Max(0, math.Min(1, v))*float64(a.plotH))
}

func (a axes) draw(img *image.RGBA) {
	grid, ink := color.RGBA{0xe6, 0xe6, 0xe6, 0xff}, color.RGBA{0x22, 0x22, 0x22, 0xff}
	for d := a.yLo; d <= a.yHi; d++ {
		y := a.y(math.Pow(10, d))
		fillRect(img, padLeft, y, a.plotW, 1, grid)
		label := trimFloat(math.Pow(10, d))
		drawText(img, padLeft-10-textWidth(label, fontScale), y-7, fontScale, label, ink)
	}
	for _, tick := range []struct {
		t     float64
		label string
	}{{0, "0"}, {math.Log10(2), "50"}, {1, "90"}, {2, "99"}, {3, "99.9"}, {4, "99.99"}} {
		if tick.t > a.tMax {
			break
		}
		x := a.x(tick.t)
		fillRect(img, x, padTop, 1, a.plotH, grid)
		lx := min(x-textWidth(tick.label, fontScale)/2, chartW-4-textWidth(tick.label, fontScale))
		drawText(img, lx, padTop+a.plotH+10, fontScale, tick.label, ink)
	}
	fillRect(img, padLeft, padTop, 2, a.plotH, ink)
	fillRect(img, padLeft, padTop+a.plotH, a.plotW, 2, ink)
	drawText(img, padLeft, 20, fontScale, "LATENCY (MS, LOG SCALE) BY PERCENTILE", ink)
	drawText(img, padLeft+a.plotW/2-textWidth("PERCENTILE", fontScale)/2, chartH-28, fontScale, "PERCENTILE", ink)
}

// plot draws s as a line, stopping where the samples no longer resolve the percentile.
func (a axes) plot(img *image.RGBA, s series) {
	n := s.d.count()
	prevX, prevY := -1, -1
	for px := 0; px <= a.plotW; px++ {
		t := float64(px) / float64(a.plotW) * a.tMax
		q := 1 - math.Pow(10, -t)
		if q > 1-1/float64(n) && px > 0 {
			break
		}
		x, y := padLeft+px, a.y(ms(s.d.pct(q)))
		if prevX >= 0 {
			drawLine(img, prevX, prevY, x, y, s.color)
		}
		prevX, prevY = x, y
	}
}

func drawLegend(img *image.RGBA, ss []series) {
	x, y := padLeft+20, padTop+12
	for _, s := range ss {
		fillRect(img, x, y+4, 28, 6, s.color)
		drawText(img, x+38, y, fontScale, s.name, color.RGBA{0x22, 0x22, 0x22, 0xff})
		y += 22
	}
}

// drawLine draws a 2-pixel-wide line with Bresenham's algorithm.
func drawLine(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		fillRect(img, x0, y0, 2, 2, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func trimFloat(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}
