package lambdahost

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWarmProcessIsReused(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "Echo"})
	first := invoke(t, h, "Echo", `{"action":"echo","data":"a"}`)
	second := invoke(t, h, "Echo", `{"action":"echo","data":"b"}`)
	if first.PID != second.PID {
		t.Fatalf("warm invoke ran in pid %d, want the cold-started %d", second.PID, first.PID)
	}
	if second.Data != "b" || first.RequestID == second.RequestID {
		t.Fatalf("replies mixed up: %+v %+v", first, second)
	}
}

func TestConcurrencyGrowsToBoundThenQueues(t *testing.T) {
	t.Parallel()
	const bound, callers = 3, 9
	h := newHost(t, Config{}, FunctionSpec{Name: "Slow", MaxConcurrency: bound})
	var mu sync.Mutex
	pids := map[int]int{}
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			r := invoke(t, h, "Slow", `{"action":"sleep","sleep_ms":300}`)
			mu.Lock()
			pids[r.PID]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(pids) != bound {
		t.Fatalf("%d callers ran in %d processes %v, want exactly MaxConcurrency=%d", callers, len(pids), pids, bound)
	}
}

func TestQueuedCallerHonoursContext(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "One", MaxConcurrency: 1, Timeout: 30 * time.Second})
	busy := make(chan struct{})
	go func() {
		defer close(busy)
		_, _ = h.Invoke(t.Context(), "One", []byte(`{"action":"sleep","sleep_ms":2000}`))
	}()
	waitFor(t, "the slot to be taken", func() bool { return len(h.byName["One"].slots) == 1 })
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := h.Invoke(ctx, "One", []byte(`{}`)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("queued invoke: got %v, want context.DeadlineExceeded", err)
	}
	<-busy
}

func TestTimeoutKillsAndReplacesProcess(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "Sleepy", Timeout: time.Second})
	before := invoke(t, h, "Sleepy", `{"action":"echo"}`)
	r := invokeRaw(t, h, "Sleepy", `{"action":"sleep","sleep_ms":20000}`)
	e := functionErr(t, r)
	if e.ErrorType != "Sandbox.Timedout" || !strings.HasSuffix(e.ErrorMessage, "Task timed out after 1.00 seconds") {
		t.Fatalf("timeout error = %+v", e)
	}
	if alive(before.PID) {
		t.Fatalf("timed-out process %d still running", before.PID)
	}
	after := invoke(t, h, "Sleepy", `{"action":"echo"}`)
	if after.PID == before.PID {
		t.Fatal("the killed process was reused")
	}
}

func TestCrashMidInvocation(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "Crashy"})
	r := invokeRaw(t, h, "Crashy", `{"action":"exit"}`)
	e := functionErr(t, r)
	if e.ErrorType != "Runtime.ExitError" ||
		!strings.HasSuffix(e.ErrorMessage, "Error: Runtime exited with error: exit status 2") ||
		!strings.HasPrefix(e.ErrorMessage, "RequestId: ") {
		t.Fatalf("crash error = %+v", e)
	}
	invoke(t, h, "Crashy", `{"action":"echo"}`)
}

func TestFunctionErrorsAndPanics(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "Failing"})
	first := invoke(t, h, "Failing", `{"action":"echo"}`)

	e := functionErr(t, invokeRaw(t, h, "Failing", `{"action":"error"}`))
	if e.ErrorType != "errorString" || e.ErrorMessage != "boom" {
		t.Fatalf("returned error = %+v", e)
	}
	if again := invoke(t, h, "Failing", `{"action":"echo"}`); again.PID != first.PID {
		t.Fatal("a returned error must not cost the warm process")
	}

	panicked := invokeRaw(t, h, "Failing", `{"action":"panic"}`)
	e = functionErr(t, panicked)
	var trace struct {
		StackTrace []json.RawMessage `json:"stackTrace"`
	}
	if err := json.Unmarshal(panicked.Payload, &trace); err != nil || e.ErrorType != "string" || e.ErrorMessage != "kaboom" || len(trace.StackTrace) == 0 {
		t.Fatalf("panic error = %s (%v)", panicked.Payload, err)
	}
	// aws-lambda-go exits after reporting a panic; the next invoke must
	// still work, on a fresh process.
	if after := invoke(t, h, "Failing", `{"action":"echo"}`); after.PID == first.PID {
		t.Fatal("the panicked process was reused")
	}
}

func TestInitErrorsSurfaceAndNeverHang(t *testing.T) {
	t.Parallel()
	cases := []struct {
		mode, wantType, wantMsg string
	}{
		{"exit", "Runtime.InitError", "Runtime exited with error: exit status 3"},
		{"post", "InitConfigError", "bad config"},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			h := newHost(t, Config{}, FunctionSpec{Name: "Broken", Env: map[string]string{"TESTFN_INIT": tc.mode}})
			for range 3 { // every invoke tries one fresh start, and fails the same way
				e := functionErr(t, invokeRaw(t, h, "Broken", `{"action":"echo"}`))
				if e.ErrorType != tc.wantType || !strings.Contains(e.ErrorMessage, tc.wantMsg) {
					t.Fatalf("init error = %+v, want %s containing %q", e, tc.wantType, tc.wantMsg)
				}
			}
			if n := processCount(h, "Broken"); n != 0 {
				t.Fatalf("%d failed processes kept", n)
			}
		})
	}
}

func TestInitTimeoutKillsTheProcess(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{InitTimeout: 300 * time.Millisecond},
		FunctionSpec{Name: "Stuck", Env: map[string]string{"TESTFN_INIT": "hang"}})
	e := functionErr(t, invokeRaw(t, h, "Stuck", `{}`))
	if e.ErrorType != "Sandbox.Timedout" || !strings.Contains(e.ErrorMessage, "init timed out after 0.30 seconds") {
		t.Fatalf("init timeout error = %+v", e)
	}
	if n := processCount(h, "Stuck"); n != 0 {
		t.Fatalf("%d stuck processes kept", n)
	}
}

func TestMissingExecutable(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "Gone", Executable: "/nonexistent/bootstrap"})
	e := functionErr(t, invokeRaw(t, h, "Gone", `{}`))
	if e.ErrorType != "Runtime.InvalidEntrypoint" {
		t.Fatalf("error = %+v", e)
	}
}

// An invocation handed to a warm process that dies before taking it runs on
// another process. The hook kills the chosen process in the window between
// choosing it and handing the event over, which is where this race lives.
func TestEventOfDeadProcessIsRequeued(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "Fragile"})
	warm := invoke(t, h, "Fragile", `{"action":"echo"}`)
	var once sync.Once
	killed := 0
	h.beforeHandoff = func(pid int) {
		once.Do(func() {
			killed = pid
			f := h.byName["Fragile"]
			f.mu.Lock()
			var victim *process
			for p := range f.all {
				if p.pid() == pid {
					victim = p
				}
			}
			f.mu.Unlock()
			victim.kill()
		})
	}
	r := invoke(t, h, "Fragile", `{"action":"echo","data":"requeued"}`)
	if killed != warm.PID {
		t.Fatalf("hook killed %d, want the warm process %d", killed, warm.PID)
	}
	if r.PID == warm.PID || r.Data != "requeued" {
		t.Fatalf("requeued invocation = %+v", r)
	}
}

func TestCloseLeavesNoProcess(t *testing.T) {
	t.Parallel()
	h := NewHost(Config{})
	if err := h.Register(FunctionSpec{Name: "Many", Executable: testFn, Timeout: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	var pids []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			r := invoke(t, h, "Many", `{"action":"spawn"}`)
			mu.Lock()
			pids = append(pids, r.PID, r.ChildPID)
			mu.Unlock()
		})
	}
	wg.Wait()
	// One invocation still running while Close is called.
	inflight := make(chan error, 1)
	go func() {
		_, err := h.Invoke(t.Context(), "Many", []byte(`{"action":"sleep","sleep_ms":20000}`))
		inflight <- err
	}()
	waitFor(t, "the sleeping invocation", func() bool {
		f := h.byName["Many"]
		return len(f.slots) == 1
	})
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-inflight; !errors.Is(err, ErrHostClosed) {
		t.Fatalf("in-flight invoke after Close: %v, want ErrHostClosed", err)
	}
	for _, pid := range pids {
		waitFor(t, "process to disappear", func() bool { return !alive(pid) })
	}
	if _, err := h.Invoke(t.Context(), "Many", []byte(`{}`)); !errors.Is(err, ErrHostClosed) {
		t.Fatalf("invoke after Close: %v", err)
	}
}

func TestUnknownFunction(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{})
	if _, err := h.Invoke(t.Context(), "Nope", nil); !errors.Is(err, ErrFunctionNotFound) {
		t.Fatalf("got %v", err)
	}
	if err := h.InvokeAsync("Nope", nil); !errors.Is(err, ErrFunctionNotFound) {
		t.Fatalf("async got %v", err)
	}
}
