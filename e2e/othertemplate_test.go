package e2e

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
)

// TestAnotherTemplateRuns runs a WebSocket app that has nothing to do with agentbridge's own
// functions: no $connect route (every connect succeeds), a $default route whose handler posts
// back through https://{domainName}/{stage} built from its event, and a two-way route.
func TestAnotherTemplateRuns(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	h, err := devhost.Start(ctx, devhost.Options{
		Template:   filepath.Join(repoDir, "e2e", "testdata", "echo-app", "template.yaml"),
		Addr:       "127.0.0.1:0",
		BuildDir:   filepath.Join(repoDir, ".build", "e2e-echo"),
		ModuleRoot: repoDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.Stage() != "echo" {
		t.Fatalf("stage = %q", h.Stage())
	}
	conn, _, err := websocket.Dial(ctx, h.WebSocketURL(), nil)
	if err != nil {
		t.Fatalf("connect without a $connect route: %v", err)
	}
	defer conn.CloseNow()
	c := &client{Conn: conn}

	send := func(body string) {
		t.Helper()
		if err := conn.Write(ctx, websocket.MessageText, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	send(`{"action":"unrouted","n":1}`)
	if got := string(readRaw(t, c)); got != `echo:{"action":"unrouted","n":1}` {
		t.Errorf("$default handler's post back = %q", got)
	}
	send(`{"action":"ping"}`)
	got := map[string]bool{}
	for range 2 {
		got[string(readRaw(t, c))] = true
	}
	if !got[`echo:{"action":"ping"}`] || !got["route ping"] {
		t.Errorf("two-way route sent %v, want the handler's post and the route response", got)
	}
}
