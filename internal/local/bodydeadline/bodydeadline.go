// Package bodydeadline bounds how long an HTTP request body may take to arrive, so a client
// that trickles a body (or sends a Content-Length and then nothing) cannot hold a handler and
// its connection open forever.
//
// It sets a read deadline on the connection through http.ResponseController when a request
// with a body starts, and clears it as soon as the body has been read to its end. That is
// what http.Server.ReadTimeout cannot do: its deadline stays armed while the handler runs
// and, when it fires, cancels the request's context, which would cut off every long-poll
// and every invocation that outlives it. Requests without a body get no deadline at all,
// so GET long-polls (the Runtime API's invocation/next) and WebSocket upgrades are not
// affected.
package bodydeadline

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// ErrTimeout is what reading a body returns once its deadline passed; it wraps
// os.ErrDeadlineExceeded. Handlers map it to 408 Request Timeout.
var ErrTimeout = errors.New("request body not received in time")

// Handler returns h with every request body bounded by timeout.
func Handler(h http.Handler, timeout time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			h.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(timeout)); err != nil {
			h.ServeHTTP(w, r) // a writer without deadlines (a test recorder): nothing to bound
			return
		}
		r.Body = &body{ReadCloser: r.Body, timeout: timeout, clear: func() { _ = rc.SetReadDeadline(time.Time{}) }}
		h.ServeHTTP(w, r)
	})
}

type body struct {
	io.ReadCloser
	timeout time.Duration
	clear   func()
	once    sync.Once
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		// The body is in: the handler may now take as long as it needs.
		b.once.Do(b.clear)
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = fmt.Errorf("%w within %s: %w", ErrTimeout, b.timeout, err)
	}
	return n, err
}
