package lambdahost

import (
	"log/slog"
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
