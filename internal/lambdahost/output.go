package lambdahost

import (
	"bytes"
	"fmt"
	"math"
	"sync"
	"time"
)

// maxLineBytes splits pathological output without newlines, as CloudWatch
// splits events larger than its limit.
const maxLineBytes = 256 * 1024

// lineWriter turns a process's output stream into whole lines.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(line string)
}

func newLineWriter(emit func(string)) *lineWriter { return &lineWriter{emit: emit} }

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		next := i + 1
		if i < 0 {
			if len(w.buf) < maxLineBytes {
				break
			}
			i, next = maxLineBytes, maxLineBytes
		}
		w.emit(string(bytes.TrimSuffix(w.buf[:i], []byte("\r"))))
		w.buf = w.buf[next:]
	}
	return len(b), nil
}

// flush emits a last line that had no newline.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(string(w.buf))
		w.buf = nil
	}
}

// emitLine sends one output line to the logger, the optional Output writer
// and, while an invocation is in progress, that invocation's log tail.
func (f *function) emitLine(p *process, stream, line string) {
	f.host.cfg.Logger.Debug(line, "function", f.spec.Name, "stream", stream)
	f.host.writeOutput(f.spec.Name, line)
	if inv := p.current.Load(); inv != nil {
		inv.appendLog(line)
	}
}

// logf writes a platform line (START, END, REPORT) as Lambda adds to a
// function's log stream.
func (f *function) logf(inv *invocation, format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	f.host.writeOutput(f.spec.Name, line)
	inv.appendLog(line)
}

func (f *function) logReport(inv *invocation, d time.Duration) {
	ms := float64(d.Microseconds()) / 1000
	f.logf(inv, "END RequestId: %s", inv.id)
	f.logf(inv, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB",
		inv.id, ms, int64(math.Ceil(ms)), f.spec.MemoryMB)
	f.host.cfg.Logger.Debug("invocation finished", "function", f.spec.Name, "request_id", inv.id, "duration", d)
}
