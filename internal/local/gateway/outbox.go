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

// frameOverhead is about what one queued frame costs beyond its payload (its queue slot
// and header). The queue holds at most limit/frameOverhead frames, so frames with empty
// payloads cannot queue without bound either, while the byte count stays the payloads'
// (what a poster's 429 is about).
const frameOverhead = 64

// outbox serialises writes to one socket. It holds no buffer and no goroutine while
// idle: a writer goroutine runs only while frames are queued, so ten thousand idle
// connections cost no more than their readers.
//
// Everything queued counts against limit, control frames included, so a client that never
// reads costs at most limit bytes however it behaves: data frames over the limit are
// refused (429 to the poster), a pong over it is dropped, and pongs coalesce, since RFC 6455
// §5.5.3 allows answering only the most recent ping. The close frame is the one exception:
// it is never refused, there is at most one, and closing sets a deadline on the socket.
type outbox struct {
	conn  net.Conn
	limit int // queued payload bytes allowed

	mu      sync.Mutex
	queue   []outFrame
	queued  int
	pong    []byte // payload of the queued pong, written when its turn comes
	pongDue bool   // a pong is in the queue
	writing bool
	done    bool // the final (close) frame is queued or a write failed
}

type outFrame struct {
	frame      ws.Frame
	pong       bool // the queued pong: o.pong is its payload until it is written
	final      bool // a close frame: nothing is written after it
	closeAfter bool // close the socket once the final frame is out
}

func (f outFrame) cost() int { return len(f.frame.Payload) }

// send queues a data frame, refusing it when the queue would exceed the limit.
func (o *outbox) send(f ws.Frame) error {
	return o.push(outFrame{frame: f}, true)
}

// pongFor answers a ping. When a pong is already waiting it takes this ping's payload
// instead of queueing a second one; when the queue is full the pong is dropped.
func (o *outbox) pongFor(payload []byte) {
	o.mu.Lock()
	if o.pongDue && !o.done {
		o.queued += len(payload) - len(o.pong)
		o.pong = payload
		o.mu.Unlock()
		return
	}
	o.mu.Unlock()
	_ = o.push(outFrame{frame: ws.NewPongFrame(payload), pong: true}, true)
}

// final queues the close frame; false if one was already queued.
func (o *outbox) final(f ws.Frame, closeAfter bool) bool {
	return o.push(outFrame{frame: f, final: true, closeAfter: closeAfter}, false) == nil
}

func (o *outbox) push(f outFrame, limited bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := f.cost()
	switch {
	case o.done:
		return errConnClosed
	case limited && (o.queued+n > o.limit || len(o.queue) >= max(1, o.limit/frameOverhead)):
		return errQueueFull
	}
	if f.pong {
		o.pong, o.pongDue = f.frame.Payload, true
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
		o.queued -= f.cost()
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
	if f.pong {
		// From here the pong is written, no longer queued: a later ping queues a new one.
		f.frame, o.pong, o.pongDue = ws.NewPongFrame(o.pong), nil, false
	}
	return f, true
}

// pending reports the frames waiting in the queue and the bytes not yet written, the
// frame being written included.
func (o *outbox) pending() (frames, bytes int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.queue), o.queued
}

// fail stops all writing and closes the socket, which also ends the reader.
func (o *outbox) fail() {
	o.mu.Lock()
	o.done = true
	o.writing = false
	o.queue = nil
	o.queued = 0
	o.pong, o.pongDue = nil, false
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
