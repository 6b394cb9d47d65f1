package gateway

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"
)

// Trap: missing disconnectStatusCode. Every way a connection ends runs $disconnect
// exactly once with the right code.
func TestDisconnectOnEveryClose(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		end    func(t *testing.T, f *fixture, c *websocket.Conn, id string)
		code   int64
		reason string
	}{
		"client close": {func(t *testing.T, _ *fixture, c *websocket.Conn, _ string) {
			_ = c.Close(4001, "bye")
		}, 4001, "bye"},
		"delete": {func(t *testing.T, f *fixture, c *websocket.Conn, id string) {
			if _, err := f.management("/local").DeleteConnection(testCtx(t), &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
				t.Fatal(err)
			}
			readClose(t, c)
		}, 1000, reasonDeleted},
		"shutdown": {func(t *testing.T, f *fixture, c *websocket.Conn, _ string) {
			go readClose(t, c)
			if err := f.gw.Shutdown(testCtx(t)); err != nil {
				t.Fatal(err)
			}
		}, 1001, "Going away"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			f := start(t, Config{Routes: lifecycleRoutes()}, newRecorder(nil))
			c, id := f.connect(t)
			tc.end(t, f, c, id)
			rc := f.rec.wait(t, "disconnect").event(t).RequestContext
			if rc.ConnectionID != id || rc.DisconnectStatusCode != tc.code || rc.DisconnectReason == nil || *rc.DisconnectReason != tc.reason {
				t.Errorf("disconnect for %s: code %d reason %v", rc.ConnectionID, rc.DisconnectStatusCode, rc.DisconnectReason)
			}
			if err := f.gw.Shutdown(testCtx(t)); err != nil {
				t.Fatal(err)
			}
			if n := f.rec.count("disconnect"); n != 1 {
				t.Errorf("$disconnect ran %d times", n)
			}
		})
	}
}

// A socket that just drops (no close frame) reports 1006.
func TestAbnormalCloseReports1006(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes()}, newRecorder(nil))
	nc := rawDial(t, f)
	f.rec.wait(t, "connect")
	_ = nc.Close()
	if got := f.rec.wait(t, "disconnect").event(t).RequestContext.DisconnectStatusCode; got != 1006 {
		t.Errorf("disconnectStatusCode %d", got)
	}
}

func TestShutdownClosesAllWithGoingAway(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes()}, newRecorder(nil))
	codes := make(chan websocket.StatusCode, 3)
	for range 3 {
		c := f.dial(t, nil)
		go func() { codes <- readClose(t, c) }()
	}
	if err := f.gw.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if code := <-codes; code != websocket.StatusGoingAway {
			t.Errorf("close code %v", code)
		}
	}
	if n := f.rec.count("disconnect"); n != 3 {
		t.Errorf("$disconnect ran %d times", n)
	}
	if f.gw.ConnectionCount() != 0 {
		t.Error("connections left")
	}
	if _, resp, err := websocket.Dial(testCtx(t), f.stageURL(), nil); err == nil || resp == nil || resp.StatusCode != 503 {
		t.Errorf("dial after shutdown: %v %v", err, resp)
	}
}
