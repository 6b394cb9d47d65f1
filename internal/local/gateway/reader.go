package gateway

import (
	"errors"
	"io"
	"net"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// errCloseReceived stops the reader when a close frame arrived inside a fragmented message.
var errCloseReceived = errors.New("gateway: close frame received")

// readLimits are the inbound quotas the reader enforces.
type readLimits struct {
	idle, maxDuration time.Duration
	maxFrame, maxMsg  int
}

// readLoop reads frames until the connection ends, handing each complete data message
// to onMessage. It blocks in a plain socket read while idle: no buffers are held.
// It reports whether the socket is left for the writer to close (after echoing the
// client's close frame).
func (c *conn) readLoop(src io.Reader, lim readLimits, onMessage func(ws.OpCode, []byte)) (writerCloses bool) {
	rd := &wsutil.Reader{
		Source:         src,
		State:          ws.StateServerSide,
		CheckUTF8:      true,
		MaxFrameSize:   int64(lim.maxFrame),
		MaxMessageSize: int64(lim.maxMsg),
	}
	rd.OnIntermediate = func(h ws.Header, body io.Reader) error {
		if done, echoed := c.control(h, body); done {
			writerCloses = echoed
			return errCloseReceived
		}
		return nil
	}
	for {
		c.armReadDeadline(lim)
		hdr, err := rd.NextFrame()
		if err == nil && hdr.OpCode.IsControl() {
			if done, echoed := c.control(hdr, rd); done {
				return echoed
			}
			continue
		}
		var payload []byte
		if err == nil {
			payload, err = io.ReadAll(rd)
		}
		if err != nil {
			if errors.Is(err, errCloseReceived) {
				return writerCloses
			}
			c.readFailed(err, src)
			return false
		}
		c.touch(time.Now(), true)
		onMessage(hdr.OpCode, payload)
	}
}

// control answers a ping, ignores a pong and handles a close frame. done reports a
// close frame; echoed whether it was the client's own close that was echoed.
func (c *conn) control(h ws.Header, body io.Reader) (done, echoed bool) {
	payload, err := io.ReadAll(body)
	if err != nil {
		return true, false
	}
	switch h.OpCode {
	case ws.OpPing:
		c.out.pongFor(payload)
	case ws.OpClose:
		code, reason := ws.ParseCloseFrameData(payload)
		return true, c.peerClosed(code, reason)
	}
	return false, false
}

// armReadDeadline sets the earlier of the idle and maximum-duration limits, or the grace
// period end once closing. It holds mu so that it cannot undo closeWith's deadline.
func (c *conn) armReadDeadline(lim readLimits) {
	c.mu.Lock()
	defer c.mu.Unlock()
	deadline := c.closeDeadline
	if c.state != stateClosing {
		deadline = c.lastData.Add(lim.idle)
		if end := c.connectedAt.Add(lim.maxDuration); end.Before(deadline) {
			deadline = end
		}
	}
	_ = c.netConn.SetReadDeadline(deadline)
}

// readFailed turns a read error into the close AWS would send, then drains whatever
// the client still sends (its close reply) until it hangs up or the grace period ends.
// After an oversized frame the stream cannot be parsed any more, hence draining
// instead of reading frames.
func (c *conn) readFailed(err error, src io.Reader) {
	var code ws.StatusCode
	var reason string
	var protoErr ws.ProtocolError
	var netErr net.Error
	switch {
	case errors.Is(err, wsutil.ErrFrameTooLarge), errors.Is(err, wsutil.ErrMessageTooLarge):
		code, reason = ws.StatusMessageTooBig, reasonTooBig
	case errors.Is(err, wsutil.ErrInvalidUTF8):
		code, reason = ws.StatusInvalidFramePayloadData, "Invalid UTF-8"
	case errors.As(err, &protoErr):
		code, reason = ws.StatusProtocolError, "Protocol error"
	case errors.As(err, &netErr) && netErr.Timeout():
		code, reason = ws.StatusGoingAway, reasonGoingAway
	default:
		return
	}
	if c.closeWith(code, reason) {
		_, _ = io.Copy(io.Discard, src)
	}
}
