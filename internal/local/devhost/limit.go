package devhost

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// connLimiter caps the connections the host's HTTP server holds that are not WebSockets:
// requests being read or served, handshakes in progress, idle keep-alives. Past the cap a new
// connection is answered 503 and closed at once, so slow or half-open clients cannot take
// every file descriptor; those already in are dropped by ReadHeaderTimeout and the body
// deadline. Upgraded WebSockets leave the count when hijacked: the gateway governs them with
// its idle and duration limits.
type connLimiter struct {
	net.Listener
	max int
	log *slog.Logger

	n        atomic.Int64
	refusing chan struct{} // one token per pending 503 reply
	mu       sync.Mutex
	refused  int // in the current burst; 0 while under the cap
	reported bool
}

func newConnLimiter(ln net.Listener, max int, log *slog.Logger) *connLimiter {
	return &connLimiter{Listener: ln, max: max, log: log, refusing: make(chan struct{}, maxRefusing)}
}

// Accept returns the next connection under the cap, refusing those over it.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if l.n.Add(1) <= int64(l.max) {
			l.noteAccepted()
			return &limitedConn{Conn: c, l: l}, nil
		}
		l.n.Add(-1)
		l.refuse(c)
	}
}

// refuse tells a plain HTTP client why and closes. The reply waits for the request head,
// since clients treat a response that comes before their request as a broken connection;
// at most maxRefusing replies are pending at once, each for at most refuseWait, and past
// that a connection is simply closed, so refusing costs bounded descriptors too.
func (l *connLimiter) refuse(c net.Conn) {
	l.noteRefused()
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refuseWait))
		br := bufio.NewReaderSize(c, 4096)
		for {
			line, err := br.ReadSlice('\n')
			if err != nil || len(bytes.TrimRight(line, "\r\n")) == 0 {
				break
			}
		}
		msg := fmt.Sprintf("agentbridge: too many connections (limit %d); try again shortly\n", l.max)
		_, _ = fmt.Fprintf(c, "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"+
			"Connection: close\r\nRetry-After: 1\r\nContent-Length: %d\r\n\r\n%s", len(msg), msg)
	}()
}

func (l *connLimiter) noteRefused() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refused++
	if !l.reported {
		l.reported = true
		l.log.Warn("connection limit reached: refusing new connections with 503", "limit", l.max)
	}
}

// noteAccepted reports the end of a burst of refusals, in one line.
func (l *connLimiter) noteAccepted() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.reported {
		l.log.Info("accepting connections again", "refused", l.refused, "limit", l.max)
		l.refused, l.reported = 0, false
	}
}

// connState is the http.Server hook: a hijacked (WebSocket) or closed connection leaves
// the count.
func (l *connLimiter) connState(c net.Conn, s http.ConnState) {
	if lc, ok := c.(*limitedConn); ok && (s == http.StateHijacked || s == http.StateClosed) {
		lc.release()
	}
}

const (
	maxRefusing = 64
	refuseWait  = time.Second
)

// limitedConn holds one place under the cap until it is hijacked or closed.
type limitedConn struct {
	net.Conn
	l    *connLimiter
	once sync.Once
}

func (c *limitedConn) release() { c.once.Do(func() { c.l.n.Add(-1) }) }

func (c *limitedConn) Close() error {
	c.release()
	return c.Conn.Close()
}
