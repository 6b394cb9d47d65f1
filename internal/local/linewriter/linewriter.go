// Package linewriter turns a byte stream, such as a child process's output, into whole lines.
// A Writer hands each line, without its newline (or "\r\n"), to a callback; a line longer than
// MaxLineBytes is split there, so output without newlines cannot grow memory without bound.
// A Writer is safe for concurrent use; the callback runs with the Writer's lock held.
package linewriter

import (
	"bytes"
	"sync"
)

// MaxLineBytes splits pathological output without newlines, as CloudWatch splits events larger
// than its limit.
const MaxLineBytes = 256 * 1024

// Writer calls emit once per complete line written to it.
type Writer struct {
	mu   sync.Mutex
	buf  []byte
	emit func(line string)
}

// New returns a Writer that hands each line to emit.
func New(emit func(line string)) *Writer { return &Writer{emit: emit} }

func (w *Writer) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		next := i + 1
		if i < 0 {
			if len(w.buf) < MaxLineBytes {
				break
			}
			i, next = MaxLineBytes, MaxLineBytes
		}
		w.emit(string(bytes.TrimSuffix(w.buf[:i], []byte("\r"))))
		w.buf = w.buf[next:]
	}
	return len(b), nil
}

// Flush emits a last line that had no newline.
func (w *Writer) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(string(w.buf))
		w.buf = nil
	}
}
