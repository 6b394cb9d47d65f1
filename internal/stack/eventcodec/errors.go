package eventcodec

import (
	"fmt"
	"strings"

	"github.com/agentbridge/agentbridge/protocol"
)

// Error is a refusal of the request. Code is a protocol error type.
type Error struct {
	Code    string
	Field   string // a path such as events[2].payload.tool; "" for the whole request
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func invalid(field, format string, args ...any) *Error {
	return &Error{Code: protocol.ErrorTypeValidation, Field: field, Message: fmt.Sprintf(format, args...)}
}

// fieldPath turns a JSON pointer such as /events/2/payload/tool into events[2].payload.tool.
func fieldPath(pointer string) string {
	var b strings.Builder
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		if tok == "" {
			continue
		}
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		if isIndex(tok) {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

func isIndex(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
