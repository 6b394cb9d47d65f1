package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/client/clienttest"
	"github.com/agentbridge/agentbridge/protocol"
)

// emitEnv isolates a test from the machine's AWS configuration and starts an Invoke API
// stand-in for emit to call.
func emitEnv(t *testing.T, respond clienttest.Responder) *clienttest.Server {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	for _, name := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA"} {
		t.Setenv(name, "")
	}
	srv := clienttest.NewServer(respond)
	t.Cleanup(srv.Close)
	return srv
}

func runEmitTest(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	err = runEmit(ctx, args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestEmitFlagsForm(t *testing.T) {
	srv := emitEnv(t, nil)
	stdout, stderr, err := runEmitTest(t, "--endpoint", srv.URL, "--user", "alice", "--type", "agent_thinking",
		"--run", "r1", "--thread", "t1", "--agent", "researcher", "--seq", "3", "--data", `{"text":"hi"}`)
	if err != nil {
		t.Fatalf("emit: %v\n%s", err, stderr)
	}
	var rep protocol.DeliveryReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.Delivered != 1 {
		t.Fatalf("stdout %q is not the delivery report: %v", stdout, err)
	}
	inv := srv.Invokes()
	if len(inv) != 1 || inv[0].Function != "EmitFunction" || inv[0].UserID != "alice" || len(inv[0].Events) != 1 {
		t.Fatalf("invokes = %+v", inv)
	}
	ev := inv[0].Events[0]
	if ev.Type != protocol.AgentThinking || ev.RunID != "r1" || ev.ThreadID != "t1" || ev.AgentName != "researcher" ||
		ev.Seq == nil || *ev.Seq != 3 || string(ev.Payload) != `{"text":"hi"}` {
		t.Errorf("event = %+v payload %s", ev, ev.Payload)
	}
}

func TestEmitUsageErrors(t *testing.T) {
	srv := emitEnv(t, nil)
	cases := map[string][]string{
		"no user":          {"--type", "agent_thinking", "--run", "r1"},
		"bad seq":          {"--user", "a", "--type", "agent_thinking", "--run", "r1", "--seq", "-1"},
		"data not object":  {"--user", "a", "--type", "agent_thinking", "--run", "r1", "--data", `"hi"`},
		"unknown type":     {"--user", "a", "--type", "agent_dancing", "--run", "r1"},
		"file and type":    {"--file", "x.jsonl", "--type", "agent_thinking"},
		"batch too large":  {"--file", "x.jsonl", "--batch", "501"},
		"aws and endpoint": {"--aws", "--user", "a", "--type", "agent_thinking", "--run", "r1"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			if name != "aws and endpoint" {
				args = append(args, "--endpoint", srv.URL)
			} else {
				args = append(args, "--endpoint", "http://127.0.0.1:1")
			}
			_, _, err := runEmitTest(t, args...)
			if !errors.Is(err, errUsage) {
				t.Errorf("err = %v, want errUsage", err)
			}
		})
	}
	if n := len(srv.Invokes()); n != 0 {
		t.Errorf("%d invokes, want 0", n)
	}
}

func writeLines(t *testing.T, lines []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEmitFileSendsAllInOrder(t *testing.T) {
	srv := emitEnv(t, nil)
	const n = 10000
	lines := []string{"# generated run", ""}
	for i := range n {
		if i%2 == 0 { // both line forms: with and without user_id
			lines = append(lines, fmt.Sprintf(`{"user_id":"alice","type":"agent_thinking","run_id":"r1","seq":%d,"payload":{"text":"chunk %d"}}`, i, i))
		} else {
			lines = append(lines, fmt.Sprintf(`{"type":"agent_thinking","run_id":"r1","seq":%d,"payload":{"text":"chunk %d"}}`, i, i))
		}
	}
	stdout, stderr, err := runEmitTest(t, "--endpoint", srv.URL, "--user", "alice", "--file", writeLines(t, lines))
	if err != nil {
		t.Fatalf("emit: %v\n%s", err, stderr)
	}
	if got := len(srv.Invokes()); got != (n+99)/100 {
		t.Errorf("%d invokes, want %d", got, (n+99)/100)
	}
	events := srv.Events()
	if len(events) != n {
		t.Fatalf("%d events sent, want %d", len(events), n)
	}
	for i, ev := range events {
		if ev.Seq == nil || *ev.Seq != int64(i) {
			t.Fatalf("event %d has seq %v: order lost", i, ev.Seq)
		}
	}
	if !strings.Contains(stdout, "events sent: 10000/10000") || !strings.Contains(stdout, "invokes: 100") {
		t.Errorf("summary = %q", stdout)
	}
}

func TestEmitFileGroupsPerUser(t *testing.T) {
	srv := emitEnv(t, nil)
	var lines []string
	for i := range 5 {
		for _, u := range []string{"alice", "bob"} {
			lines = append(lines, fmt.Sprintf(`{"user_id":%q,"type":"agent_thinking","run_id":"r","seq":%d,"payload":{"text":"x"}}`, u, i))
		}
	}
	if _, stderr, err := runEmitTest(t, "--endpoint", srv.URL, "--batch", "2", "--file", writeLines(t, lines)); err != nil {
		t.Fatalf("emit: %v\n%s", err, stderr)
	}
	next := map[string]int64{}
	for _, inv := range srv.Invokes() {
		for _, ev := range inv.Events {
			if *ev.Seq != next[inv.UserID] {
				t.Fatalf("user %s got seq %d, want %d", inv.UserID, *ev.Seq, next[inv.UserID])
			}
			next[inv.UserID]++
		}
	}
	if next["alice"] != 5 || next["bob"] != 5 || len(srv.Invokes()) != 6 {
		t.Errorf("per user %v in %d invokes, want 5 each in 6", next, len(srv.Invokes()))
	}
}

func TestEmitFileBadLineSendsNothing(t *testing.T) {
	cases := map[string]string{
		"not JSON":      `{"type":"agent_thinking",`,
		"unknown field": `{"type":"agent_thinking","run_id":"r1","colour":"red"}`,
		"no run":        `{"type":"agent_thinking","payload":{"text":"x"}}`,
		"bad user":      `{"user_id":"al ice","type":"agent_thinking","run_id":"r1"}`,
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			srv := emitEnv(t, nil)
			good := `{"type":"agent_thinking","run_id":"r1","payload":{"text":"x"}}`
			path := writeLines(t, []string{good, "# comment", good, "", bad, good})
			_, _, err := runEmitTest(t, "--endpoint", srv.URL, "--user", "alice", "--file", path)
			if err == nil || !strings.Contains(err.Error(), "events.jsonl:5:") {
				t.Fatalf("err = %v, want it to name line 5", err)
			}
			if n := len(srv.Invokes()); n != 0 {
				t.Errorf("%d invokes, want 0", n)
			}
		})
	}
}

func TestEmitFileReportsFailedInvoke(t *testing.T) {
	srv := emitEnv(t, func(inv clienttest.Invoke) clienttest.Response {
		if inv.UserID == "bob" {
			return clienttest.Response{FunctionError: &protocol.FunctionError{
				ErrorType: protocol.ErrorTypeValidation, ErrorMessage: "events[1].payload.text: required for agent_thinking"}}
		}
		return clienttest.Response{}
	})
	var lines []string
	for i := range 4 {
		for _, u := range []string{"alice", "bob"} {
			lines = append(lines, fmt.Sprintf(`{"user_id":%q,"type":"agent_thinking","run_id":"r","seq":%d,"payload":{"text":"x"}}`, u, i))
		}
	}
	stdout, stderr, err := runEmitTest(t, "--endpoint", srv.URL, "--batch", "2", "--file", writeLines(t, lines))
	if err == nil {
		t.Fatal("emit succeeded although an invoke failed")
	}
	if !strings.Contains(stderr, "lines 2-4 (user bob)") || !strings.Contains(stderr, "(line 4)") {
		t.Errorf("stderr = %q", stderr)
	}
	// bob's first batch failed, so his second is not sent; alice's two are.
	if n := len(srv.Invokes()); n != 3 {
		t.Errorf("%d invokes, want 3", n)
	}
	if !strings.Contains(stdout, "events sent: 4/8") {
		t.Errorf("summary = %q", stdout)
	}
}
