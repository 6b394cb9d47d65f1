package lambdahost

import (
	"fmt"
	"math"
	"time"
)

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
