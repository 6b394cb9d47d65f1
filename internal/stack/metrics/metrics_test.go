package metrics_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/metrics"
	"github.com/agentbridge/agentbridge/protocol"
)

func newWriter(buf *bytes.Buffer) *metrics.Writer {
	return metrics.New(buf, metrics.Options{Namespace: "agentbridge/test-stack", Now: func() time.Time { return fixedNow }})
}

func TestEmitLines(t *testing.T) {
	// zero is every report count at 0, plus fan-out time.
	counts := func(over map[string]float64) map[string]float64 {
		m := map[string]float64{"Events": 0, "Stored": 0, "Duplicates": 0, "Connections": 0, "Delivered": 0,
			"StaleRemoved": 0, "Gone": 0, "Throttled": 0, "Failed": 0, "NotAttempted": 0, "FanoutTime": 0}
		for k, v := range over {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name string
		in   metrics.EmitResult
		want map[string]float64
		dims map[string][][]string // metric -> dimension sets, for the metrics named
		root map[string]string     // dimension values
	}{
		{
			name: "delivered",
			in: metrics.EmitResult{Delivered: true, FanoutTime: 12500 * time.Microsecond,
				Report: protocol.DeliveryReport{Events: 2, Stored: 1, Duplicates: 1, Connections: 3, Delivered: 5, StaleRemoved: 1, Gone: 1}},
			want: counts(map[string]float64{"Events": 2, "Stored": 1, "Duplicates": 1, "Connections": 3, "Delivered": 5,
				"StaleRemoved": 1, "Gone": 1, "FanoutTime": 12.5}),
			dims: map[string][][]string{"Delivered": {{"Function"}}, "FanoutTime": {{"Function"}}},
			root: map[string]string{"Function": "emit"},
		},
		{
			name: "nothing delivered: DeliveryFailed with its reason and error type",
			in: metrics.EmitResult{Delivered: true, ErrorType: protocol.ErrorTypeDeliveryFailed,
				Report: protocol.DeliveryReport{Events: 2, Connections: 1, Failed: 2}},
			want: counts(map[string]float64{"Events": 2, "Connections": 1, "Failed": 2, "EmitErrors": 1, "DeliveryFailed": 1}),
			dims: map[string][][]string{
				"DeliveryFailed": {{"Function"}, {"Function", "Reason"}},
				"EmitErrors":     {{"Function"}, {"Function", "ErrorType"}},
			},
			root: map[string]string{"Function": "emit", "Reason": "failed", "ErrorType": "DeliveryFailed"},
		},
		{
			name: "nothing delivered, throttled",
			in: metrics.EmitResult{Delivered: true, ErrorType: protocol.ErrorTypeDeliveryFailed,
				Report: protocol.DeliveryReport{Events: 3, Connections: 1, Throttled: 3}},
			want: counts(map[string]float64{"Events": 3, "Connections": 1, "Throttled": 3, "EmitErrors": 1, "DeliveryFailed": 1}),
			root: map[string]string{"Reason": "throttled"},
		},
		{
			name: "nothing delivered before the deadline",
			in: metrics.EmitResult{Delivered: true, ErrorType: protocol.ErrorTypeDeliveryFailed,
				Report: protocol.DeliveryReport{Events: 3, Connections: 2, NotAttempted: 5, Failed: 1}},
			want: counts(map[string]float64{"Events": 3, "Connections": 2, "NotAttempted": 5, "Failed": 1, "EmitErrors": 1, "DeliveryFailed": 1}),
			root: map[string]string{"Reason": "deadline"},
		},
		{
			name: "every connection gone is a plain report",
			in:   metrics.EmitResult{Delivered: true, Report: protocol.DeliveryReport{Events: 1, Connections: 2, Gone: 2, StaleRemoved: 2}},
			want: counts(map[string]float64{"Events": 1, "Connections": 2, "Gone": 2, "StaleRemoved": 2}),
			root: map[string]string{"Function": "emit"},
		},
		{
			name: "refused before delivery: only the error",
			in:   metrics.EmitResult{ErrorType: protocol.ErrorTypeValidation},
			want: map[string]float64{"EmitErrors": 1},
			root: map[string]string{"Function": "emit", "ErrorType": "ValidationError"},
		},
		{
			name: "no connections is a plain report",
			in:   metrics.EmitResult{Delivered: true, Report: protocol.DeliveryReport{Events: 1}},
			want: counts(map[string]float64{"Events": 1}),
			root: map[string]string{"Function": "emit"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := newWriter(&buf).Emit(tt.in); err != nil {
				t.Fatal(err)
			}
			docs := parseEMF(t, buf.Bytes())
			if len(docs) != 1 {
				t.Fatalf("%d lines, want 1: %s", len(docs), buf.Bytes())
			}
			d := docs[0]
			if d.Timestamp != fixedNow.UnixMilli() {
				t.Errorf("Timestamp = %d, want %d", d.Timestamp, fixedNow.UnixMilli())
			}
			for _, dir := range d.Directives {
				if dir.Namespace != "agentbridge/test-stack" {
					t.Errorf("namespace %q", dir.Namespace)
				}
			}
			if got := d.values(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("values = %v, want %v", got, tt.want)
			}
			sets := d.dimensionSets()
			for m, want := range tt.dims {
				if !reflect.DeepEqual(sets[m], want) {
					t.Errorf("%s dimensions = %v, want %v", m, sets[m], want)
				}
			}
			for k, v := range tt.root {
				if d.Root[k] != v {
					t.Errorf("%s = %v, want %q", k, d.Root[k], v)
				}
			}
		})
	}
}

func TestConnectLines(t *testing.T) {
	var buf bytes.Buffer
	w := newWriter(&buf)
	for _, refusal := range []string{"", "expired", "wrong_audience", "store"} {
		if err := w.Connect(refusal); err != nil {
			t.Fatal(err)
		}
	}
	docs := parseEMF(t, buf.Bytes())
	if len(docs) != 4 {
		t.Fatalf("%d lines, want 4", len(docs))
	}
	if got := docs[0].values(); !reflect.DeepEqual(got, map[string]float64{"ConnectAccepted": 1}) || docs[0].Root["Function"] != "connect" {
		t.Errorf("accepted line = %v %v", got, docs[0].Root)
	}
	for i, reason := range []string{"expired", "wrong_audience", "store"} {
		d := docs[i+1]
		if got := d.values(); !reflect.DeepEqual(got, map[string]float64{"ConnectRefused": 1}) || d.Root["Reason"] != reason {
			t.Errorf("refused line %d = %v %v, want reason %q", i, got, d.Root, reason)
		}
		if want := [][]string{{"Function"}, {"Function", "Reason"}}; !reflect.DeepEqual(d.dimensionSets()["ConnectRefused"], want) {
			t.Errorf("refused dimensions = %v, want %v (the total and per reason)", d.dimensionSets()["ConnectRefused"], want)
		}
	}
}

// TestReportFieldsHaveMetrics: every integer field of the report type has a metric, so a field
// added to the report cannot go unmeasured.
func TestReportFieldsHaveMetrics(t *testing.T) {
	var buf bytes.Buffer
	if err := newWriter(&buf).Emit(metrics.EmitResult{Delivered: true, Report: protocol.DeliveryReport{}}); err != nil {
		t.Fatal(err)
	}
	got := parseEMF(t, buf.Bytes())[0].values()
	for field := range metrics.ReadReport(protocol.DeliveryReport{}) {
		name := metricName(field)
		if _, ok := got[name]; !ok {
			t.Errorf("report field %q has no metric %q in %v", field, name, got)
		}
	}
}

// metricName is the documented mapping: snake_case field to CamelCase metric.
func metricName(field string) string {
	var b strings.Builder
	for _, p := range strings.Split(field, "_") {
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

func TestUndeliveredReason(t *testing.T) {
	tests := []struct {
		name   string
		counts metrics.Counts
		want   string
	}{
		{"some delivered", metrics.Counts{"connections": 2, "delivered": 1, "failed": 3}, ""},
		{"no connections", metrics.Counts{"connections": 0}, ""},
		{"all gone (v1: stale_removed)", metrics.Counts{"connections": 2, "stale_removed": 2}, ""},
		{"all gone (v2)", metrics.Counts{"connections": 2, "gone": 4, "stale_removed": 2}, ""},
		{"all failed", metrics.Counts{"connections": 1, "failed": 2}, metrics.ReasonFailed},
		{"all throttled", metrics.Counts{"connections": 1, "throttled": 2}, metrics.ReasonThrottled},
		{"out of time", metrics.Counts{"connections": 3, "not_attempted": 5, "failed": 1}, metrics.ReasonDeadline},
		{"gone and failed", metrics.Counts{"connections": 2, "gone": 1, "failed": 1}, metrics.ReasonFailed},
		{"tie goes to failed", metrics.Counts{"connections": 2, "throttled": 1, "failed": 1}, metrics.ReasonFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.counts.UndeliveredReason(); got != tt.want {
				t.Errorf("UndeliveredReason(%v) = %q, want %q", tt.counts, got, tt.want)
			}
		})
	}
}

func TestNilWriterWritesNothing(t *testing.T) {
	var w *metrics.Writer
	if err := w.Emit(metrics.EmitResult{Delivered: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.Connect(""); err != nil {
		t.Fatal(err)
	}
}

func TestFromEnvNamespace(t *testing.T) {
	var buf bytes.Buffer
	w := metrics.FromEnv(&buf, func(k string) string {
		if k == metrics.EnvNamespace {
			return "agentbridge/prod"
		}
		return ""
	})
	if err := w.Connect(""); err != nil {
		t.Fatal(err)
	}
	if d := parseEMF(t, buf.Bytes()); d[0].Directives[0].Namespace != "agentbridge/prod" {
		t.Errorf("namespace %q", d[0].Directives[0].Namespace)
	}
	buf.Reset()
	if err := metrics.FromEnv(&buf, func(string) string { return "" }).Connect(""); err != nil {
		t.Fatal(err)
	}
	if d := parseEMF(t, buf.Bytes()); d[0].Directives[0].Namespace != metrics.DefaultNamespace {
		t.Errorf("default namespace %q", d[0].Directives[0].Namespace)
	}
}
