package e2e

import (
	"encoding/json"
	"testing"
	"time"
)

// readJSON reads one message as a JSON object.
func readJSON(t testing.TB, c *client) map[string]any {
	t.Helper()
	data := readRaw(t, c)
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("message %q: %v", data, err)
	}
	return m
}

// waitFor polls cond until it holds; effects of $disconnect are asynchronous, as on AWS.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
