package metrics_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"
)

// emfDoc is one parsed EMF line: its directives and the root members they reference.
type emfDoc struct {
	Timestamp  int64
	Directives []emfDirective
	Root       map[string]any
}

type emfDirective struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []struct{ Name, Unit string }
}

// allowedDimensions are the only dimension keys a line may use: none of them can hold a user
// id, a connection id or an address.
var allowedDimensions = []string{"Function", "Reason", "ErrorType"}

// validUnits are the CloudWatch units the package uses.
var validUnits = []string{"Count", "Milliseconds"}

// parseEMF parses every line of out and checks it against the EMF specification's rules: one
// JSON object per line, an _aws member with a millisecond Timestamp and CloudWatchMetrics,
// every dimension a string root member, every metric a numeric root member.
func parseEMF(t *testing.T, out []byte) []emfDoc {
	t.Helper()
	var docs []emfDoc
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		doc, err := parseLine(sc.Bytes())
		if err != nil {
			t.Fatalf("%v in line %s", err, sc.Bytes())
		}
		docs = append(docs, doc)
	}
	return docs
}

func parseLine(b []byte) (emfDoc, error) {
	var root map[string]any
	if err := json.Unmarshal(b, &root); err != nil {
		return emfDoc{}, fmt.Errorf("not one JSON object: %w", err)
	}
	var meta struct {
		AWS *struct {
			Timestamp         *int64
			CloudWatchMetrics []emfDirective
		} `json:"_aws"`
	}
	if err := json.Unmarshal(b, &meta); err != nil || meta.AWS == nil || meta.AWS.Timestamp == nil {
		return emfDoc{}, fmt.Errorf("no _aws.Timestamp (%v)", err)
	}
	if len(meta.AWS.CloudWatchMetrics) == 0 {
		return emfDoc{}, fmt.Errorf("no directives")
	}
	if _, ok := root["level"]; ok {
		return emfDoc{}, fmt.Errorf("a level member would subject metrics to log-level filtering")
	}
	for _, d := range meta.AWS.CloudWatchMetrics {
		if d.Namespace == "" || len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			return emfDoc{}, fmt.Errorf("directive %+v: namespace and 1-100 metrics required", d)
		}
		for _, set := range d.Dimensions {
			if len(set) > 30 {
				return emfDoc{}, fmt.Errorf("more than 30 dimensions")
			}
			for _, k := range set {
				if !slices.Contains(allowedDimensions, k) {
					return emfDoc{}, fmt.Errorf("dimension %q is not one of %v", k, allowedDimensions)
				}
				if _, ok := root[k].(string); !ok {
					return emfDoc{}, fmt.Errorf("dimension %q is not a string root member", k)
				}
			}
		}
		for _, m := range d.Metrics {
			if _, ok := root[m.Name].(float64); !ok {
				return emfDoc{}, fmt.Errorf("metric %q is not a numeric root member", m.Name)
			}
			if !slices.Contains(validUnits, m.Unit) {
				return emfDoc{}, fmt.Errorf("metric %q: unit %q", m.Name, m.Unit)
			}
		}
	}
	return emfDoc{Timestamp: *meta.AWS.Timestamp, Directives: meta.AWS.CloudWatchMetrics, Root: root}, nil
}

// values returns metric name -> value over all directives of doc.
func (d emfDoc) values() map[string]float64 {
	out := map[string]float64{}
	for _, dir := range d.Directives {
		for _, m := range dir.Metrics {
			out[m.Name] = d.Root[m.Name].(float64)
		}
	}
	return out
}

// dimensionSets returns, per metric name, its dimension sets.
func (d emfDoc) dimensionSets() map[string][][]string {
	out := map[string][][]string{}
	for _, dir := range d.Directives {
		for _, m := range dir.Metrics {
			out[m.Name] = dir.Dimensions
		}
	}
	return out
}

var fixedNow = time.Date(2026, 1, 20, 11, 55, 0, 0, time.UTC)
