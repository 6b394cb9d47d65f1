package lambdaenv

import (
	"bytes"
	"log/slog"
	"testing"
)

func TestLoggerHonoursLambdaLogLevel(t *testing.T) {
	tests := []struct {
		env       string
		debug, ok bool // whether debug and info lines are written
	}{
		{"", false, true},
		{"DEBUG", true, true},
		{"info", false, true},
		{"WARN", false, false},
		{"ERROR", false, false},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		log := Logger(&buf, func(k string) string {
			if k == "AWS_LAMBDA_LOG_LEVEL" {
				return tt.env
			}
			return ""
		})
		if got := log.Enabled(t.Context(), slog.LevelDebug); got != tt.debug {
			t.Errorf("level %q: debug enabled = %v, want %v", tt.env, got, tt.debug)
		}
		if got := log.Enabled(t.Context(), slog.LevelInfo); got != tt.ok {
			t.Errorf("level %q: info enabled = %v, want %v", tt.env, got, tt.ok)
		}
	}
}
