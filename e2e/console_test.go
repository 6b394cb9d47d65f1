package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/agentbridge/agentbridge/protocol"
)

// TestConsoleEndpointsThroughHost checks what the console relies on, on the real host: the
// root leads to it, a user's connection is listed, and its example run reaches the user's
// tab whole, in order, with a streamed message.
func TestConsoleEndpointsThroughHost(t *testing.T) {
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(shared.BaseURL() + "/?user=e2e-console-user")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/console/?user=e2e-console-user" {
		t.Errorf("GET / = %d to %q, want 302 to the console keeping ?user=", resp.StatusCode, loc)
	}

	tab := dial(t, shared, "e2e-console-user")
	var listed struct {
		Connections []struct {
			ConnectionID string `json:"connection_id"`
		} `json:"connections"`
	}
	getJSON(t, "/console/api/connections?user=e2e-console-user", &listed)
	if len(listed.Connections) != 1 || listed.Connections[0].ConnectionID == "" {
		t.Errorf("connections = %+v, want the one open tab", listed.Connections)
	}

	resp, err = http.Post(shared.BaseURL()+"/console/api/play?user=e2e-console-user", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("play: status %d", resp.StatusCode)
	}
	types := receiveRun(t, tab)
	for _, want := range []protocol.EventType{protocol.AgentStarted, protocol.ToolCompleted, protocol.MessageStarted, protocol.MessageDelta, protocol.MessageCompleted} {
		if !slices.Contains(types, want) {
			t.Errorf("example run %v lacks %s", types, want)
		}
	}
}

func getJSON(t *testing.T, path string, v any) {
	t.Helper()
	resp, err := http.Get(shared.BaseURL() + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
