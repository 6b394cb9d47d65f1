package metrics

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// Writer writes EMF lines. It is safe for concurrent use; a nil *Writer writes nothing.
type Writer struct {
	mu        sync.Mutex
	out       io.Writer
	namespace string
	now       func() time.Time
}

// Options tune a Writer; the zero value works.
type Options struct {
	// Namespace is the CloudWatch namespace. Default DefaultNamespace.
	Namespace string
	// Now is the clock stamped on each line. Default time.Now.
	Now func() time.Time
}

// New returns a Writer on out (a function's stdout).
func New(out io.Writer, opts Options) *Writer {
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Writer{out: out, namespace: opts.Namespace, now: opts.Now}
}

// FromEnv returns a Writer on out in the namespace EnvNamespace names.
func FromEnv(out io.Writer, getenv func(string) string) *Writer {
	return New(out, Options{Namespace: getenv(EnvNamespace)})
}

// EmitResult is one emit request's outcome.
type EmitResult struct {
	Report protocol.DeliveryReport
	// FanoutTime is how long delivery took; zero when delivery never started.
	FanoutTime time.Duration
	// ErrorType is the protocol error type the request ended with; "" on success.
	ErrorType string
	// Delivered is false when the request never reached delivery (refused or store failure):
	// then no delivery counts are written.
	Delivered bool
}

// Emit writes one request's metrics.
func (w *Writer) Emit(r EmitResult) error {
	if w == nil {
		return nil
	}
	fn := map[string]string{DimFunction: FunctionEmit}
	counts := ReadReport(r.Report)
	var lines []line
	if r.Delivered {
		d := line{dims: fn, sets: [][]string{{DimFunction}}}
		for _, f := range reportFields {
			if n, ok := counts[f.field]; ok {
				d.values = append(d.values, value{f.metric, "Count", float64(n)})
			}
		}
		d.values = append(d.values, value{FanoutTime, "Milliseconds", float64(r.FanoutTime) / float64(time.Millisecond)})
		lines = append(lines, d)
	}
	if r.ErrorType != "" {
		lines = append(lines, line{
			dims:   map[string]string{DimFunction: FunctionEmit, DimErrorType: r.ErrorType},
			sets:   [][]string{{DimFunction}, {DimFunction, DimErrorType}},
			values: []value{{EmitErrors, "Count", 1}},
		})
	}
	if reason := counts.UndeliveredReason(); r.Delivered && reason != "" {
		lines = append(lines, line{
			dims:   map[string]string{DimFunction: FunctionEmit, DimReason: reason},
			sets:   [][]string{{DimFunction}, {DimFunction, DimReason}},
			values: []value{{DeliveryFailed, "Count", 1}},
		})
	}
	return w.write(lines)
}

// Connect writes one $connect's outcome: accepted when refusal is "", else refused for that
// reason.
func (w *Writer) Connect(refusal string) error {
	if w == nil {
		return nil
	}
	if refusal == "" {
		return w.write([]line{{
			dims: map[string]string{DimFunction: FunctionConnect}, sets: [][]string{{DimFunction}},
			values: []value{{ConnectAccepted, "Count", 1}},
		}})
	}
	return w.write([]line{{
		dims:   map[string]string{DimFunction: FunctionConnect, DimReason: refusal},
		sets:   [][]string{{DimFunction}, {DimFunction, DimReason}},
		values: []value{{ConnectRefused, "Count", 1}},
	}})
}

// line is one metric directive: values published under each of sets, whose dimension values
// are in dims.
type line struct {
	dims   map[string]string
	sets   [][]string
	values []value
}

type value struct {
	name, unit string
	v          float64
}

type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type directive struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []metricDef `json:"Metrics"`
}

// write renders ls as one EMF document on one line, in a single Write. The directives of one
// document share the root's dimension values, which is why each carries at most Function and
// one distinct extra dimension (Reason or ErrorType).
func (w *Writer) write(ls []line) error {
	if len(ls) == 0 {
		return nil
	}
	root := map[string]any{}
	var dirs []directive
	for _, l := range ls {
		d := directive{Namespace: w.namespace, Dimensions: l.sets}
		for k, v := range l.dims {
			root[k] = v
		}
		for _, v := range l.values {
			d.Metrics = append(d.Metrics, metricDef{Name: v.name, Unit: v.unit})
			root[v.name] = v.v
		}
		dirs = append(dirs, d)
	}
	root["_aws"] = map[string]any{"Timestamp": w.now().UnixMilli(), "CloudWatchMetrics": dirs}
	b, err := json.Marshal(root)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.out.Write(append(b, '\n'))
	return err
}
