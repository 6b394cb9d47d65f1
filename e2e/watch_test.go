package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatchPrintsLiveEventsAndExitsOnInterrupt runs `agentbridge watch` against the real
// template: it mints a token the connect function accepts, prints each live event on one
// line (message deltas growing their message's line), and exits 0 on SIGINT.
// Resuming against the real stack is not covered here (see client/subscribe's tests).
func TestWatchPrintsLiveEventsAndExitsOnInterrupt(t *testing.T) {
	const user = "e2e-watch"
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "agentbridge"), "watch",
		"--user", user, "--secret", testSecret, "--url", shared.WebSocketURL())
	stdout, stderr := &lockedBuffer{}, &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()
	waitFor(t, "watch to connect", func() bool { return strings.Contains(stderr.String(), "watch: connected") })

	emit(t, shared, `{"user_id":"`+user+`","events":[
		{"type":"message_started","run_id":"r1","seq":0,"payload":{"message_id":"m1","role":"assistant"}},
		{"type":"message_delta","run_id":"r1","seq":1,"payload":{"message_id":"m1","delta":"Hello"}},
		{"type":"message_delta","run_id":"r1","seq":2,"payload":{"message_id":"m1","delta":", world"}},
		{"type":"message_completed","run_id":"r1","seq":3,"payload":{"message_id":"m1"}},
		{"type":"agent_thinking","run_id":"r1","seq":4,"payload":{"text":"from e2e"}}]}`)
	want := []string{"r1  message m1 (assistant): Hello, world\n", "r1  agent_thinking  from e2e\n"}
	waitFor(t, "watch to print the events", func() bool {
		out := stdout.String()
		return strings.Contains(out, want[0]) && strings.Contains(out, want[1])
	})

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("watch exited with %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("watch did not exit on SIGINT; stderr:\n%s", stderr.String())
	}
}
