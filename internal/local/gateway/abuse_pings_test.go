package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"testing"

	"github.com/gobwas/ws"
)

// TestPingFloodAtNonReaderStaysBounded floods pings at a connection whose client never
// reads. Its pongs cannot leave (the socket's buffers fill within a few megabytes), so
// what the gateway queues for it must stay within SendQueueBytes: pongs coalesce and count
// against the limit. Before that, every pong was queued outside the limit and this flood
// left about 39,000 pongs (7 MB of payload, 23 MB of heap) queued for one connection.
func TestPingFloodAtNonReaderStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 5 MB of pings")
	}
	const pings = 40_000
	const limit = 256 << 10
	f := start(t, Config{Routes: lifecycleRoutes(Route{Key: routeDefault, Function: "default"}), SendQueueBytes: limit}, newRecorder(nil))
	nc, err := rawUpgrade(f.host(), f.gw.cfg.Stage)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	id := f.rec.wait(t, "connect").event(t).RequestContext.ConnectionID
	var c *conn
	eventually(t, hangGuard, "the connection to open", func() bool {
		c = f.gw.reg.get(id)
		return c != nil && c.isOpen() // netConn is set before the state becomes open
	})
	// A fixed send buffer on the gateway's side, so the kernel absorbs only what it and the
	// client's receive buffer hold (about 160 KB) and the rest of the flood is the gateway's.
	if tcp, ok := c.netConn.(*net.TCPConn); ok {
		_ = tcp.SetWriteBuffer(16 << 10)
	}
	heapBefore := heapInUse()

	w := bufio.NewWriterSize(nc, 64<<10)
	payload := bytes.Repeat([]byte("p"), 125) // the largest a control frame may carry
	for range pings {
		if err := ws.WriteFrame(w, ws.MaskFrame(ws.NewPingFrame(payload))); err != nil {
			t.Fatalf("write ping: %v", err)
		}
	}
	// The reader handles frames in order: once this message reaches its integration,
	// every ping before it has been answered or dropped.
	if err := ws.WriteFrame(w, ws.MaskFrame(ws.NewTextFrame([]byte(`{"action":"x"}`)))); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.rec.wait(t, "default")

	frames, queued := c.out.pending()
	heapAfter := heapInUse()
	growth := int64(heapAfter) - int64(heapBefore)
	t.Logf("after %d pings (%.1f MB) at a client that never reads: %d frames, %d bytes queued; heap in use %d -> %d bytes (%+d)",
		pings, pings*131/1e6, frames, queued, heapBefore, heapAfter, growth)
	if queued > limit || frames > limit/frameOverhead {
		t.Errorf("%d frames, %d bytes queued for one connection, want at most %d bytes", frames, queued, limit)
	}
	// Generous: unbounded pongs held over 5 MB for this flood.
	if growth > 2<<20 {
		t.Errorf("heap grew by %d bytes during the flood, want under 2 MiB", growth)
	}
	if !c.isOpen() {
		t.Error("the connection was closed; a ping flood is not a protocol error")
	}
}

// Frames with empty payloads cost no bytes but still take a queue slot each: the queue
// refuses them once it holds limit/frameOverhead frames.
func TestEmptyFramesCannotQueueWithoutBound(t *testing.T) {
	t.Parallel()
	server, client := net.Pipe() // nobody reads client: the first write blocks forever
	defer client.Close()
	o := &outbox{conn: server, limit: 4096}
	for i := 0; ; i++ {
		if i > 4096/frameOverhead+2 {
			t.Fatalf("%d empty frames queued without a refusal", i)
		}
		if err := o.send(ws.NewTextFrame(nil)); err != nil {
			if !errors.Is(err, errQueueFull) {
				t.Fatalf("send: %v, want errQueueFull", err)
			}
			break
		}
	}
	if frames, _ := o.pending(); frames > 4096/frameOverhead {
		t.Errorf("%d frames queued, want at most %d", frames, 4096/frameOverhead)
	}
}
