package console

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/protocol"
)

func do(t *testing.T, c *Console, method, target, remote string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	req.Host = "127.0.0.1:3001"
	if remote != "" {
		req.RemoteAddr = remote
	}
	rec := httptest.NewRecorder()
	c.ServeHTTP(rec, req)
	return rec
}

func TestToken(t *testing.T) {
	var signed []string
	c := New(Config{WebSocketURL: "ws://127.0.0.1:3001/dev", Token: func(user string) (string, error) {
		signed = append(signed, user)
		return "tok-" + user, nil
	}})
	rec := do(t, c, "GET", "/console/api/token?user=alice", "127.0.0.1:5000")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"token": "tok-alice", "url": "ws://127.0.0.1:3001/dev", "user": "alice"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Error("a token answer must not be cached")
	}
	if v := rec.Header().Get("Access-Control-Allow-Origin"); v != "" {
		t.Errorf("Access-Control-Allow-Origin %q: other origins must not read tokens", v)
	}

	for _, tc := range []struct {
		name, target, remote string
		status               int
	}{
		{"no user", "/console/api/token", "127.0.0.1:5000", http.StatusBadRequest},
		{"padded user", "/console/api/token?user=%20alice", "127.0.0.1:5000", http.StatusBadRequest},
		{"another machine", "/console/api/token?user=alice", "192.168.1.20:5000", http.StatusForbidden},
		{"ipv6 loopback", "/console/api/token?user=bob", "[::1]:5000", http.StatusOK},
	} {
		if rec := do(t, c, "GET", tc.target, tc.remote); rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.name, rec.Code, tc.status, rec.Body)
		}
	}
	if strings.Join(signed, ",") != "alice,bob" {
		t.Errorf("signed for %v, want alice then bob only", signed)
	}
	signed = nil

	for host, status := range map[string]int{"localhost:3001": http.StatusOK, "[::1]:3001": http.StatusOK, "127.0.0.1": http.StatusOK, "rebound.example.com:3001": http.StatusForbidden} {
		req := httptest.NewRequest("GET", "/console/api/token?user=alice", nil)
		req.Host, req.RemoteAddr = host, "127.0.0.1:5000"
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, req)
		if rec.Code != status {
			t.Errorf("Host %s: status %d, want %d", host, rec.Code, status)
		}
	}

	none := New(Config{})
	if rec := do(t, none, "GET", "/console/api/token?user=alice", "127.0.0.1:1"); rec.Code != http.StatusNotImplemented {
		t.Errorf("without a signer: status %d, want 501", rec.Code)
	}
}

func TestConnections(t *testing.T) {
	at := time.Date(2026, 1, 20, 11, 55, 0, 0, time.UTC)
	c := New(Config{Connections: func(_ context.Context, user string) ([]Connection, error) {
		if user == "broken" {
			return nil, errors.New("table unreachable")
		}
		if user != "alice" {
			return nil, nil
		}
		return []Connection{{ConnectionID: "c1", ConnectedAt: at}}, nil
	}})
	rec := do(t, c, "GET", "/console/api/connections?user=alice", "127.0.0.1:1")
	if want := `{"connections":[{"connection_id":"c1","connected_at":"2026-01-20T11:55:00Z"}],"user":"alice"}`; strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("got %s, want %s", rec.Body, want)
	}
	if rec := do(t, c, "GET", "/console/api/connections?user=bob", "127.0.0.1:1"); !strings.Contains(rec.Body.String(), `"connections":[]`) {
		t.Errorf("no connections must list as [], got %s", rec.Body)
	}
	if rec := do(t, c, "GET", "/console/api/connections?user=broken", "127.0.0.1:1"); rec.Code != http.StatusBadGateway {
		t.Errorf("store failure: status %d, want 502", rec.Code)
	}
}

// TestPlay checks the example run is what the emit function accepts, one event per request,
// numbered from 0, with the message events a console shows growing.
func TestPlay(t *testing.T) {
	requests := make(chan []byte, 64)
	c := New(Config{Pause: time.Microsecond, Emit: func(_ context.Context, req []byte) error {
		requests <- req
		return nil
	}})
	t.Cleanup(c.Close)
	rec := do(t, c, "POST", "/console/api/play?user=alice", "127.0.0.1:1")
	if rec.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var types []string
	for len(types) == 0 || types[len(types)-1] != string(protocol.AgentCompleted) {
		raw := <-requests
		req, err := eventcodec.Decode(raw)
		if err != nil {
			t.Fatalf("emit would refuse %s: %v", raw, err)
		}
		var parsed protocol.EmitRequest
		if err := json.Unmarshal(raw, &parsed); err != nil {
			t.Fatal(err)
		}
		if len(parsed.Events) != 1 || parsed.UserID != "alice" || req == nil {
			t.Fatalf("want one event for alice per request, got %s", raw)
		}
		ev := parsed.Events[0]
		if ev.Seq == nil || *ev.Seq != int64(len(types)) || ev.EventID == "" {
			t.Fatalf("event %d: seq %v, event_id %q", len(types), ev.Seq, ev.EventID)
		}
		types = append(types, string(ev.Type))
	}
	got := strings.Join(types, " ")
	for _, want := range []string{"agent_started agent_thinking agent_thinking tool_executing tool_completed message_started message_delta message_delta", "message_completed agent_completed"} {
		if !strings.Contains(got, want) {
			t.Errorf("run %q lacks %q", got, want)
		}
	}
}

func TestStatic(t *testing.T) {
	dir := t.TempDir()
	c := New(Config{Dir: dir})
	if rec := do(t, c, "GET", "/console/", ""); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "make console") {
		t.Errorf("unbuilt console: status %d, body %q; want 404 saying how to build it", rec.Code, rec.Body)
	}
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<title>console</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rec := do(t, c, "GET", "/console/", ""); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "<title>console</title>") {
		t.Errorf("built console: status %d, body %q", rec.Code, rec.Body)
	}
}
