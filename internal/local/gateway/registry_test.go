package gateway

import (
	"bytes"
	"testing"

	"github.com/coder/websocket"
)

// Trap: reusing connection ids after a disconnect. Even when the random source repeats,
// an issued id is never handed out again.
func TestRegistryNeverReissues(t *testing.T) {
	t.Parallel()
	same := bytes.Repeat([]byte{7}, idBytes)
	other := bytes.Repeat([]byte{9}, idBytes)
	r := newRegistry()
	r.rand = bytes.NewReader(append(append(append([]byte{}, same...), same...), other...))
	first, err := r.issue()
	if err != nil {
		t.Fatal(err)
	}
	second, err := r.issue()
	if err != nil {
		t.Fatal(err)
	}
	if first == second || !validConnectionID(first) || !validConnectionID(second) {
		t.Errorf("ids %q %q", first, second)
	}
	r.rand = bytes.NewReader(bytes.Repeat(same, maxIDAttempts))
	if _, err := r.issue(); err == nil {
		t.Error("issued a repeated id")
	}
}

func TestConnectionIDsUniqueAcrossReconnects(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes()}, newRecorder(nil))
	seen := map[string]bool{}
	for range 20 {
		c, id := f.connect(t)
		if seen[id] || !awsIDPattern.MatchString(id) {
			t.Fatalf("id %q reused or malformed", id)
		}
		seen[id] = true
		_ = c.Close(websocket.StatusNormalClosure, "")
		f.rec.wait(t, "disconnect")
	}
}
