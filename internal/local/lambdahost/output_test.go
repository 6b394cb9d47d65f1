package lambdahost

import (
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

// Function output reaches Output for people and the logger at debug level for tools.
func TestFunctionOutputIsLoggedWithItsName(t *testing.T) {
	t.Parallel()
	var out, logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHost(t, Config{Logger: logger, Output: &out}, FunctionSpec{Name: "EmitFunction"})
	invoke(t, h, "EmitFunction", `{"action":"print","data":"hello"}`)

	waitFor(t, "both output lines", func() bool {
		s := out.String()
		return strings.Contains(s, "[EmitFunction] to stdout: hello\n") &&
			strings.Contains(s, "[EmitFunction] to stderr: hello\n")
	})
	waitFor(t, "the structured log lines", func() bool {
		s := logs.String()
		return strings.Contains(s, `"msg":"to stdout: hello","function":"EmitFunction","stream":"stdout"`) &&
			strings.Contains(s, `"msg":"to stderr: hello","function":"EmitFunction","stream":"stderr"`)
	})
	if !strings.Contains(out.String(), "[EmitFunction] REPORT RequestId: ") {
		t.Errorf("no REPORT line in output:\n%s", out.String())
	}
}

// The first REPORT of a process carries its Init Duration, as after a Lambda cold start; the
// REPORT of a warm invocation does not.
func TestReportCarriesInitDurationOncePerProcess(t *testing.T) {
	var out syncBuffer
	h := newHost(t, Config{Output: &out}, FunctionSpec{Name: "EmitFunction"})
	invoke(t, h, "EmitFunction", `{"action":"echo"}`)
	invoke(t, h, "EmitFunction", `{"action":"echo"}`)
	waitFor(t, "two REPORT lines", func() bool { return strings.Count(out.String(), "REPORT RequestId: ") == 2 })
	var reports []string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "REPORT RequestId: ") {
			reports = append(reports, l)
		}
	}
	if !regexp.MustCompile(`\tInit Duration: [0-9]+\.[0-9]{2} ms$`).MatchString(reports[0]) {
		t.Errorf("cold REPORT has no Init Duration: %q", reports[0])
	}
	if strings.Contains(reports[1], "Init Duration") {
		t.Errorf("warm REPORT has an Init Duration: %q", reports[1])
	}
}
