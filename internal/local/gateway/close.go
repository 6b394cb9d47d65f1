package gateway

import (
	"time"

	"github.com/gobwas/ws"
)

// closeGrace is how long a closing connection waits for the peer's close frame and for
// its own queued frames to go out before the socket is dropped.
const closeGrace = 2 * time.Second

// Close codes and reasons this package sends.
const (
	reasonGoingAway  = "Going away"
	reasonTooBig     = "Message too big"
	reasonDeleted    = "Connection deleted"
	codeAbnormal     = 1006 // never sent on the wire; reported to $disconnect
	codeDeleted      = ws.StatusNormalClosure
	codeNoStatusRcvd = ws.StatusNoStatusRcvd
)

// closeWith starts a server-initiated close: the close frame goes out after anything
// already queued and the reader waits up to closeGrace for the client's reply. It
// reports false when the connection was not open (already closing, or not yet open).
func (c *conn) closeWith(code ws.StatusCode, reason string) bool {
	now := time.Now()
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return false
	}
	c.state = stateClosing
	c.closeCode, c.closeReason = int(code), reason
	c.closeDeadline = now.Add(closeGrace)
	_ = c.netConn.SetDeadline(c.closeDeadline) // under mu: see armReadDeadline
	c.mu.Unlock()

	c.out.final(ws.NewCloseFrame(ws.NewCloseFrameBody(code, reason)), false)
	return true
}

// peerClosed handles a close frame from the client. When the client spoke first the
// frame is echoed and the socket closed once the echo is out; it reports whether that
// happened (and so whether the writer now owns closing the socket).
func (c *conn) peerClosed(code ws.StatusCode, reason string) bool {
	c.mu.Lock()
	if c.state != stateOpen {
		c.mu.Unlock()
		return false // the reply to our own close frame
	}
	c.state = stateClosing
	if code == 0 {
		code = codeNoStatusRcvd
	}
	c.closeCode, c.closeReason = int(code), reason
	c.mu.Unlock()

	var body []byte
	if code != codeNoStatusRcvd {
		body = ws.NewCloseFrameBody(code, "")
	}
	_ = c.netConn.SetWriteDeadline(time.Now().Add(closeGrace))
	return c.out.final(ws.NewCloseFrame(body), true)
}

// closeStatus returns the code and reason $disconnect reports; a connection that ended
// without any close frame reports 1006, as AWS does.
func (c *conn) closeStatus() (int, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == stateOpen || c.closeCode == 0 {
		c.state = stateClosing
		c.closeCode = codeAbnormal
	}
	return c.closeCode, c.closeReason
}
