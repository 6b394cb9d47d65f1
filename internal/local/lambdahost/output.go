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

// logReport writes END and REPORT. The first REPORT of a process carries its Init Duration, as
// Lambda's does after a cold start: the time from starting the binary to its first request for
// work (GET /runtime/invocation/next).
func (f *function) logReport(inv *invocation, d, initDur time.Duration, cold bool) {
	ms := float64(d.Microseconds()) / 1000
	f.logf(inv, "END RequestId: %s", inv.id)
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB",
		inv.id, ms, int64(math.Ceil(ms)), f.spec.MemoryMB)
	if cold {
		report += fmt.Sprintf("\tInit Duration: %.2f ms", float64(initDur.Microseconds())/1000)
	}
	f.logf(inv, "%s", report)
	attrs := []any{"function", f.spec.Name, "request_id", inv.id, "duration", d}
	if cold {
		attrs = append(attrs, "init_duration", initDur)
	}
	f.host.cfg.Logger.Debug("invocation finished", attrs...)
}
