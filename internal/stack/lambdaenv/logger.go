package lambdaenv

import (
	"io"
	"log/slog"
	"strings"
)

// Logger returns the functions' JSON logger at the level Lambda passes in AWS_LAMBDA_LOG_LEVEL
// (the template's ApplicationLogLevel), INFO when unset. Custom runtimes must apply that level
// themselves; Lambda only forwards it.
func Logger(w io.Writer, getenv Getenv) *slog.Logger {
	var level slog.Level
	switch strings.ToUpper(getenv("AWS_LAMBDA_LOG_LEVEL")) {
	case "TRACE", "DEBUG":
		level = slog.LevelDebug
	case "WARN":
		level = slog.LevelWarn
	case "ERROR", "FATAL":
		level = slog.LevelError
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
