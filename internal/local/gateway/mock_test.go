package gateway

import (
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// mockRoutes: ping answers pong (two-way MOCK), heartbeat is a one-way MOCK, and
// $default is a function whose reply shows what came before it.
func mockRoutes() map[string]Route {
	return lifecycleRoutes(
		Route{Key: "ping", Mock: &Mock{Response: []byte(`{"type":"pong"}`)}, ReturnResponse: true},
		Route{Key: "heartbeat", Mock: &Mock{Response: []byte(`{"type":"pong"}`)}},
		Route{Key: routeDefault, Function: "default", ReturnResponse: true},
	)
}

func TestMockRouteAnswersWithoutInvoking(t *testing.T) {
	rec := newRecorder(map[string]handlerFunc{
		"default": proxy(events.APIGatewayProxyResponse{StatusCode: 200, Body: "default done"}),
	})
	f := start(t, Config{Routes: mockRoutes()}, rec)
	c, _ := f.connect(t)
	send := func(body string) {
		t.Helper()
		if err := c.Write(testCtx(t), websocket.MessageText, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"action":"ping"}`)
	if got := readText(t, c); got != `{"type":"pong"}` {
		t.Fatalf("ping got %q", got)
	}
	// A one-way MOCK route sends nothing: the next frame is the function's reply to the
	// message after it (the reader handles messages in order).
	send(`{"action":"heartbeat"}`)
	send(`{"action":"other"}`)
	if got := readText(t, c); got != "default done" {
		t.Fatalf("after heartbeat got %q, want the $default reply", got)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, call := range rec.calls {
		if call.Function != "connect" && call.Function != "default" {
			t.Errorf("unexpected invocation of %s", call.Function)
		}
	}
	if len(rec.calls) != 2 {
		t.Errorf("%d invocations, want $connect and one $default: %v", len(rec.calls), rec.calls)
	}
}

// Pings sent more often than the idle timeout keep the connection open well past it;
// once they stop, the idle timeout closes it as before.
func TestMockPingResetsIdleTimer(t *testing.T) {
	const idle = time.Second
	f := start(t, Config{Routes: mockRoutes(), IdleTimeout: idle}, newRecorder(nil))
	c, _ := f.connect(t)
	tick := time.NewTicker(idle / 4)
	defer tick.Stop()
	for range 12 { // 3 idle periods
		<-tick.C
		if err := c.Write(testCtx(t), websocket.MessageText, []byte(`{"action":"ping"}`)); err != nil {
			t.Fatalf("write: %v", err)
		}
		if got := readText(t, c); got != `{"type":"pong"}` {
			t.Fatalf("got %q", got)
		}
	}
	if code := readClose(t, c); code != websocket.StatusGoingAway {
		t.Errorf("close code %v, want 1001 once the pings stop", code)
	}
	if rc := f.rec.wait(t, "disconnect").event(t).RequestContext; rc.DisconnectStatusCode != 1001 {
		t.Errorf("disconnect status %d", rc.DisconnectStatusCode)
	}
}
