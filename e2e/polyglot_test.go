package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/protocol"
)

// The example agents in other languages, run unchanged against the local host the way the
// READMEs show: the SDK's standard variables point them at it.

const polyglotAnswer = "The contiguous United States is slightly larger: about 8.08 million km² against Australia's 7.69 million km²."

func TestPythonAgentRunArrivesWholeAndInOrder(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 is needed for the Python example agent: %v", err)
	}
	checkPolyglotRun(t, "e2e-python-user", "run-py-e2e", exec.Command(python, "agent.py", "--user", "e2e-python-user",
		"--run", "run-py-e2e", "--pause", "0.01"), filepath.Join(repoDir, "examples", "python-agent"))
}

func TestNodeAgentRunArrivesWholeAndInOrder(t *testing.T) {
	dir := filepath.Join(repoDir, "examples", "node-agent")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-lambda")); err != nil {
		install := exec.Command("npm", "ci", "--no-audit", "--no-fund")
		install.Dir = dir
		if out, err := install.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in examples/node-agent: %v\n%s", err, out)
		}
	}
	checkPolyglotRun(t, "e2e-node-user", "run-node-e2e", exec.Command("node", "agent.mjs", "--user", "e2e-node-user",
		"--run", "run-node-e2e", "--pause", "0.01"), dir)
}

// checkPolyglotRun runs an example agent while a tab of user watches, and checks the run
// arrives whole: seq 0..n-1 in order, every event with an agent-chosen event_id, the answer's
// deltas concatenating to the answer inside one message; and a tab that replays the run after
// it ended gets the same events, so it rebuilds the same answer.
func checkPolyglotRun(t *testing.T, user, runID string, cmd *exec.Cmd, dir string) {
	tab := dial(t, shared, user)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd = exec.CommandContext(ctx, cmd.Path, cmd.Args[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_LAMBDA="+shared.BaseURL(), "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "EMIT_FUNCTION_NAME=EmitFunction")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out.String())
	}
	var envs []protocol.Envelope
	for {
		env := tab.next(t)
		if env.Seq == nil || *env.Seq != int64(len(envs)) {
			t.Fatalf("event %d (%s) arrived with seq %v", len(envs), env.Type, env.Seq)
		}
		if !strings.HasPrefix(env.EventID, "evt_") || len(env.EventID) != len("evt_")+32 {
			t.Fatalf("event %d has event_id %q, want the agent's evt_ and 32 hex digits", len(envs), env.EventID)
		}
		envs = append(envs, env)
		if env.Type == protocol.AgentCompleted {
			break
		}
	}
	if envs[0].Type != protocol.AgentStarted {
		t.Fatalf("run began with %s", envs[0].Type)
	}
	for _, want := range []protocol.EventType{protocol.AgentThinking, protocol.ToolExecuting, protocol.ToolCompleted,
		protocol.MessageStarted, protocol.MessageCompleted} {
		if !containsType(envTypes(envs), want) {
			t.Errorf("run lacks %s: %v", want, envTypes(envs))
		}
	}
	if got := messageText(t, envs, "answer-1"); got != polyglotAnswer {
		t.Errorf("answer deltas concatenate to %q, want %q", got, polyglotAnswer)
	}
	if !strings.Contains(out.String(), " events in ") {
		t.Errorf("agent printed no summary:\n%s", out.String())
	}
	replayed := replayRun(t, dial(t, shared, user), runID)
	if len(replayed) != len(envs) {
		t.Fatalf("replay after the run returned %d events, the live tab had %d", len(replayed), len(envs))
	}
	if got := messageText(t, replayed, "answer-1"); got != polyglotAnswer {
		t.Errorf("replayed deltas concatenate to %q, want %q", got, polyglotAnswer)
	}
}

// replayRun asks for one run's stored events and returns them, up to the replayed answer.
func replayRun(t *testing.T, tab *client, runID string) []protocol.Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if err := tab.Write(ctx, websocket.MessageText, []byte(`{"action":"replay","run_id":"`+runID+`"}`)); err != nil {
		t.Fatal(err)
	}
	var envs []protocol.Envelope
	for {
		_, data, err := tab.Read(ctx)
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		var env protocol.Envelope
		if err := json.Unmarshal(data, &env); err != nil {
			t.Fatalf("frame %q: %v", data, err)
		}
		if string(env.Type) == protocol.TypeReplayed {
			return envs
		}
		envs = append(envs, env)
	}
}

func envTypes(envs []protocol.Envelope) []protocol.EventType {
	out := make([]protocol.EventType, len(envs))
	for i, e := range envs {
		out[i] = e.Type
	}
	return out
}

// messageText concatenates the deltas of one message, checking they sit between its start and
// its end.
func messageText(t *testing.T, envs []protocol.Envelope, messageID string) string {
	t.Helper()
	var b strings.Builder
	open := false
	for _, e := range envs {
		var p struct {
			MessageID string `json:"message_id"`
			Delta     string `json:"delta"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil || p.MessageID != messageID {
			continue
		}
		switch e.Type {
		case protocol.MessageStarted:
			open = true
		case protocol.MessageDelta:
			if !open {
				t.Fatalf("delta of %s outside its message", messageID)
			}
			b.WriteString(p.Delta)
		case protocol.MessageCompleted:
			open = false
		}
	}
	return b.String()
}
