package devhost

import (
	"io"
	"sync"

	"github.com/agentbridge/agentbridge/internal/local/linewriter"
)

// outputMu keeps lines from different sources whole on the shared output.
var outputMu sync.Mutex

// prefixed returns a writer that copies each line to w as "[name] line", or nil when w is nil.
func prefixed(w io.Writer, name string) io.Writer {
	if w == nil {
		return nil
	}
	prefix := "[" + name + "] "
	return linewriter.New(func(line string) {
		outputMu.Lock()
		defer outputMu.Unlock()
		_, _ = io.WriteString(w, prefix+line+"\n")
	})
}
