package gateway

import (
	"bytes"
	"errors"
	"net"
	"sync"

	"github.com/gobwas/ws"
)

var (
	errQueueFull  = errors.New("gateway: send queue full")
	errConnClosed = errors.New("gateway: connection closed")
)

// outbox serialises writes to one socket. It holds no buffer and no goroutine while
// idle: a writer goroutine runs only while frames are queued, so ten thousand idle
// connections cost no more than their readers.
type outbox struct {
	conn  net.Conn
	limit int // queued payload bytes allowed for data frames

	mu      sync.Mutex
	queue   []outFrame
	queued  int
	writing bool
	done    bool // the final (close) frame is queued or a write failed
}

type outFrame struct {
	frame      ws.Frame
	final      bool // a close frame: nothing is written after it
	closeAfter bool // close the socket once the final frame is out
}

// send queues a data frame, refusing it when the queue would exceed the limit.
func (o *outbox) send(f ws.Frame) error {
	return o.push(outFrame{frame: f}, true)
}

// control queues a control frame (pong) outside the data limit.
func (o *outbox) control(f ws.Frame) {
	_ = o.push(outFrame{frame: f}, false)
}

// final queues the close frame; false if one was already queued.
func (o *outbox) final(f ws.Frame, closeAfter bool) bool {
	return o.push(outFrame{frame: f, final: true, closeAfter: closeAfter}, false) == nil
}

func (o *outbox) push(f outFrame, limited bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := len(f.frame.Payload)
	switch {
	case o.done:
		return errConnClosed
	case limited && o.queued+n > o.limit:
		return errQueueFull
	}
	o.queue = append(o.queue, f)
	o.queued += n
	o.done = f.final
	if !o.writing {
		o.writing = true
		go o.drain()
	}
	return nil
}

// drain writes queued frames in order and exits when the queue is empty.
func (o *outbox) drain() {
	for {
		f, ok := o.next()
		if !ok {
			return
		}
		err := writeFrame(o.conn, f.frame)
		o.mu.Lock()
		o.queued -= len(f.frame.Payload)
		o.mu.Unlock()
		if err != nil || (f.final && f.closeAfter) {
			o.fail()
			return
		}
	}
}

func (o *outbox) next() (outFrame, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.queue) == 0 {
		o.writing = false
		o.queue = nil // let an idle connection drop its backing array
		return outFrame{}, false
	}
	f := o.queue[0]
	o.queue[0] = outFrame{}
	o.queue = o.queue[1:]
	return f, true
}

// fail stops all writing and closes the socket, which also ends the reader.
func (o *outbox) fail() {
	o.mu.Lock()
	o.done = true
	o.writing = false
	o.queue = nil
	o.queued = 0
	o.mu.Unlock()
	_ = o.conn.Close()
}

// writeFrame writes header and payload in one writev call.
func writeFrame(c net.Conn, f ws.Frame) error {
	var hdr bytes.Buffer
	if err := ws.WriteHeader(&hdr, f.Header); err != nil {
		return err
	}
	bufs := net.Buffers{hdr.Bytes(), f.Payload}
	_, err := bufs.WriteTo(c)
	return err
}
