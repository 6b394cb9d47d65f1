package gateway

import (
	"bytes"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// Both sides of the 32 KB frame limit.
func TestFrameSizeBoundary(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes(Route{Key: routeDefault, Function: "default"})}, newRecorder(nil))
	c := f.dial(t, nil)
	if err := c.Write(testCtx(t), websocket.MessageText, bytes.Repeat([]byte("a"), 32768)); err != nil {
		t.Fatal(err)
	}
	if ev := f.rec.wait(t, "default").event(t); len(ev.Body) != 32768 {
		t.Errorf("delivered %d bytes", len(ev.Body))
	}
	if err := c.Write(testCtx(t), websocket.MessageText, bytes.Repeat([]byte("a"), 32769)); err != nil {
		t.Fatal(err)
	}
	if code := readClose(t, c); code != websocket.StatusMessageTooBig {
		t.Errorf("close code %v, want 1009", code)
	}
	if got := f.rec.wait(t, "disconnect").event(t).RequestContext.DisconnectStatusCode; got != 1009 {
		t.Errorf("disconnectStatusCode %d", got)
	}
}

// Both sides of the 128 KB message limit, sent as 32 KB fragments.
func TestMessageSizeBoundary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		extra   int
		tooBig  bool
		comment string
	}{{0, false, "131072 bytes"}, {1, true, "131073 bytes"}} {
		t.Run(tc.comment, func(t *testing.T) {
			f := start(t, Config{Routes: lifecycleRoutes(Route{Key: routeDefault, Function: "default"})}, newRecorder(nil))
			c := f.dial(t, nil)
			w, err := c.Writer(testCtx(t), websocket.MessageText)
			if err != nil {
				t.Fatal(err)
			}
			for range 4 { // each Write is one frame
				if _, err := w.Write(bytes.Repeat([]byte("b"), 32768)); err != nil {
					t.Fatal(err)
				}
			}
			if tc.extra > 0 {
				_, _ = w.Write(bytes.Repeat([]byte("b"), tc.extra))
			}
			_ = w.Close()
			if tc.tooBig {
				if code := readClose(t, c); code != websocket.StatusMessageTooBig {
					t.Errorf("close code %v, want 1009", code)
				}
				return
			}
			if ev := f.rec.wait(t, "default").event(t); len(ev.Body) != 131072 {
				t.Errorf("delivered %d bytes", len(ev.Body))
			}
		})
	}
}

// Trap: no idle or maximum-duration timeouts.
func TestTimeoutsCloseWithGoingAway(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"idle":         {IdleTimeout: 200 * time.Millisecond},
		"max duration": {MaxConnectionDuration: 200 * time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Routes = lifecycleRoutes()
			f := start(t, cfg, newRecorder(nil))
			c := f.dial(t, nil)
			if code := readClose(t, c); code != websocket.StatusGoingAway {
				t.Errorf("close code %v, want 1001", code)
			}
			rc := f.rec.wait(t, "disconnect").event(t).RequestContext
			if rc.DisconnectStatusCode != 1001 || rc.DisconnectReason == nil || *rc.DisconnectReason != "Going away" {
				t.Errorf("disconnect %d %v", rc.DisconnectStatusCode, rc.DisconnectReason)
			}
		})
	}
}
