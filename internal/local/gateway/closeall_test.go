package gateway

import (
	"errors"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// CloseOpenedBefore closes the connections opened before the cut-off with the given code and
// reason, runs their $disconnect, and leaves later connections open.
func TestCloseOpenedBeforeClosesOnlyOlderConnections(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes()}, newRecorder(nil))
	older, olderID := f.connect(t)
	cut := time.Now()
	eventually(t, hangGuard, "the clock to pass the cut-off", func() bool { return time.Now().After(cut) })
	newer, newerID := f.connect(t)

	if n := f.gw.CloseOpenedBefore(cut, 1012, "store lost; reconnect"); n != 1 {
		t.Fatalf("closed %d connections, want 1", n)
	}
	_, _, err := older.Read(testCtx(t))
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 1012 || ce.Reason != "store lost; reconnect" {
		t.Fatalf("older connection ended with %v, want 1012 with the reason", err)
	}
	if ev := f.rec.wait(t, "disconnect").event(t); ev.RequestContext.ConnectionID != olderID {
		t.Errorf("$disconnect for %s, want %s", ev.RequestContext.ConnectionID, olderID)
	}
	if _, err := f.management("").PostToConnection(testCtx(t), postInput(newerID, []byte("still here"))); err != nil {
		t.Fatalf("post to the newer connection: %v", err)
	}
	if got := readText(t, newer); got != "still here" {
		t.Errorf("newer connection got %q", got)
	}
}
