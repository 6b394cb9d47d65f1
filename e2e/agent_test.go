package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// runBinary runs one of the project's binaries against the shared host and returns its output.
func runBinary(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, name), args...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "AWS_REGION=us-east-1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
	}
	return out.String()
}

// receiveRun reads envelopes until agent_completed and checks seq rises by one from 0.
func receiveRun(t *testing.T, c *client) []protocol.EventType {
	t.Helper()
	var types []protocol.EventType
	for want := int64(0); ; want++ {
		env := c.next(t)
		if env.Seq == nil || *env.Seq != want {
			t.Fatalf("event %d (%s) has seq %v, want %d", len(types), env.Type, env.Seq, want)
		}
		types = append(types, env.Type)
		if env.Type == protocol.AgentCompleted {
			return types
		}
	}
}

var invokesLine = regexp.MustCompile(`(\d+) events in (\d+) invokes`)

func TestExampleAgentRunArrivesWholeAndInOrder(t *testing.T) {
	counts := map[bool][2]int{}
	for _, batch := range []bool{false, true} {
		t.Run(fmt.Sprintf("batch=%v", batch), func(t *testing.T) {
			tab := dial(t, shared, "e2e-agent-user")
			args := []string{"--user", "e2e-agent-user", "--endpoint", shared.BaseURL(), "--pause", "0s"}
			if batch {
				args = append(args, "--batch")
			}
			out := runBinary(t, "agent", args...)
			types := receiveRun(t, tab)
			if types[0] != protocol.AgentStarted {
				t.Errorf("run began with %s", types[0])
			}
			for _, want := range []protocol.EventType{protocol.AgentThinking, protocol.ToolExecuting, protocol.ToolCompleted} {
				if !containsType(types, want) {
					t.Errorf("run lacks %s: %v", want, types)
				}
			}
			m := invokesLine.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("agent printed no invoke count:\n%s", out)
			}
			events, _ := strconv.Atoi(m[1])
			invokes, _ := strconv.Atoi(m[2])
			if events != len(types) {
				t.Errorf("agent sent %d events, client received %d", events, len(types))
			}
			counts[batch] = [2]int{events, invokes}
			t.Logf("%d events in %d invokes", events, invokes)
		})
	}
	if counts[true][1] >= counts[false][1] {
		t.Errorf("batching did not cut invokes: %d batched vs %d unbatched", counts[true][1], counts[false][1])
	}
}

func containsType(types []protocol.EventType, want protocol.EventType) bool {
	for _, ty := range types {
		if ty == want {
			return true
		}
	}
	return false
}

func TestEmitFileDeliversTenThousandEventsInOrder(t *testing.T) {
	const n = 10000
	tab := dial(t, shared, "e2e-bulk")
	var lines strings.Builder
	for i := range n {
		fmt.Fprintf(&lines, `{"type":"agent_thinking","run_id":"bulk","seq":%d,"payload":{"text":"chunk %d"}}`+"\n", i, i)
	}
	file := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(file, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	received := make(chan error, 1)
	go func() {
		for want := int64(0); want < n; want++ {
			env, err := readEnvelope(t.Context(), tab)
			if err != nil {
				received <- err
				return
			}
			if env.Seq == nil || *env.Seq != want {
				received <- fmt.Errorf("event %d arrived with seq %v", want, env.Seq)
				return
			}
		}
		received <- nil
	}()
	out := runBinary(t, "agentbridge", "emit", "--endpoint", shared.BaseURL(), "--user", "e2e-bulk", "--file", file)
	if err := <-received; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "10000") || !strings.Contains(strings.ToLower(out), "delivered") {
		t.Errorf("emit printed no summary:\n%s", out)
	}
	t.Logf("summary:\n%s", out)
}

func TestInvokeCommandRunsOneFunctionOnce(t *testing.T) {
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"user_id":"nobody","type":"agent_started","run_id":"r1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runBinary(t, "agentbridge", "invoke", "EmitFunction", "--event", event,
		"--template", filepath.Join(repoDir, "template.yaml"))
	if !strings.Contains(out, `{"events":1,"stored":1,"duplicates":0,"connections":0,"delivered":0,"stale_removed":0,"gone":0,"throttled":0,"failed":0,"not_attempted":0}`) {
		t.Errorf("invoke printed no delivery report:\n%s", out)
	}
}

// TestInvokeCommandTargetsTheRunningStack: with --endpoint, agentbridge invoke goes through the
// running stack's Invoke API, so a tab of that stack receives the event.
func TestInvokeCommandTargetsTheRunningStack(t *testing.T) {
	tab := dial(t, shared, "e2e-invoke-user")
	event := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(event, []byte(`{"user_id":"e2e-invoke-user","type":"agent_started","run_id":"r-invoke"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := runBinary(t, "agentbridge", "invoke", "EmitFunction", "--event", event, "--endpoint", shared.BaseURL())
	if !strings.Contains(out, `"connections":1,"delivered":1`) {
		t.Errorf("invoke printed no report of one delivery:\n%s", out)
	}
	if env := tab.next(t); env.RunID != "r-invoke" || env.Type != protocol.AgentStarted {
		t.Errorf("tab received %s of %s", env.Type, env.RunID)
	}
}
