package lambdahost

import (
	"log/slog"
	"strings"
	"testing"
)

// Function output reaches Output for people and the logger at debug level for tools.
func TestFunctionOutputIsLoggedWithItsName(t *testing.T) {
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

func TestLineWriterSplitsLines(t *testing.T) {
	var got []string
	w := newLineWriter(func(s string) { got = append(got, s) })
	for _, chunk := range []string{"one\ntw", "o\r\n", "", "thr", "ee"} {
		_, _ = w.Write([]byte(chunk))
	}
	w.flush()
	_, _ = w.Write([]byte(strings.Repeat("x", maxLineBytes+1)))
	w.flush()
	want := []string{"one", "two", "three", strings.Repeat("x", maxLineBytes), "x"}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %.20q, want %.20q", i, got[i], want[i])
		}
	}
}
