package lambdahost

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// testFn is the compiled testdata/fn/testfn function, built once per run.
var testFn string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "lambdahost-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	testFn = filepath.Join(dir, "bootstrap")
	out, err := exec.Command("go", "build", "-o", testFn, "./testdata/fn/testfn").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build test function: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// hangGuard bounds every wait in these tests; it is never a timing assertion.
const hangGuard = 60 * time.Second

func newHost(t testing.TB, cfg Config, specs ...FunctionSpec) *Host {
	t.Helper()
	h := NewHost(cfg)
	for _, s := range specs {
		if s.Executable == "" {
			s.Executable = testFn
		}
		if err := h.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

type fnReply struct {
	PID        int               `json:"pid"`
	Data       string            `json:"data"`
	RequestID  string            `json:"request_id"`
	ARN        string            `json:"arn"`
	DeadlineMS int64             `json:"deadline_ms"`
	Env        map[string]string `json:"env"`
	ChildPID   int               `json:"child_pid"`
	Len        int               `json:"len"`
}

// invoke calls fn and expects a successful result.
func invoke(t testing.TB, h *Host, fn string, event string) fnReply {
	t.Helper()
	r := invokeRaw(t, h, fn, event)
	if r.FunctionError != "" {
		t.Fatalf("invoke %s %s: function error %s", fn, event, r.Payload)
	}
	var rep fnReply
	if err := json.Unmarshal(r.Payload, &rep); err != nil {
		t.Fatalf("decode reply %q: %v", r.Payload, err)
	}
	return rep
}

func invokeRaw(t testing.TB, h *Host, fn string, event string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	defer cancel()
	r, err := h.Invoke(ctx, fn, []byte(event))
	if err != nil {
		t.Fatalf("invoke %s: %v", fn, err)
	}
	return r
}

// functionErr decodes the error document of a failed invocation.
func functionErr(t testing.TB, r Result) protocol.FunctionError {
	t.Helper()
	if r.FunctionError != "Unhandled" {
		t.Fatalf("want FunctionError Unhandled, got %q (payload %s)", r.FunctionError, r.Payload)
	}
	var e protocol.FunctionError
	if err := json.Unmarshal(r.Payload, &e); err != nil {
		t.Fatalf("decode error %q: %v", r.Payload, err)
	}
	return e
}

// alive reports whether pid is a running (not zombie) process.
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the parenthesised command name.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// waitFor polls cond until it holds or the hang guard expires.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// syncBuffer is an io.Writer safe for the host's output goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// processCount is how many live processes the named function holds.
func processCount(h *Host, name string) int {
	f := h.byName[name]
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.all)
}
