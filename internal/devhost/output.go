package devhost

import (
	"bytes"
	"io"
	"sync"
)

// outputMu keeps lines from different sources whole on the shared output.
var outputMu sync.Mutex

// lineWriter copies each complete line written to it to w as "[name] line".
type lineWriter struct {
	w       io.Writer
	prefix  []byte
	mu      sync.Mutex
	partial []byte
}

// prefixed returns a writer that labels each line with name, or nil when w is nil.
func prefixed(w io.Writer, name string) io.Writer {
	if w == nil {
		return nil
	}
	return &lineWriter{w: w, prefix: []byte("[" + name + "] ")}
}

func (l *lineWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := append(append([]byte(nil), l.prefix...), l.partial[:i+1]...)
		outputMu.Lock()
		_, err := l.w.Write(line)
		outputMu.Unlock()
		l.partial = l.partial[i+1:]
		if err != nil {
			return len(p), err
		}
	}
	return len(p), nil
}
