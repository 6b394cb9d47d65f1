package lambdahost

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
)

// Result is the outcome of an invocation that reached the function.
type Result struct {
	// Payload is the function's response, or the error document
	// {"errorMessage","errorType",...} when FunctionError is set.
	Payload []byte
	// FunctionError is "Unhandled" when the function failed, else empty.
	FunctionError string
}

// Host runs registered functions. Create it with NewHost; the zero value is
// not usable.
type Host struct {
	cfg Config

	mu     sync.RWMutex
	byName map[string]*function
	funcs  []*function
	closed bool
	done   chan struct{}
	runs   sync.WaitGroup

	outMu sync.Mutex

	// beforeHandoff, set only by tests, runs after a process is chosen for an
	// invocation and before the invocation is handed to it.
	beforeHandoff func(pid int)
}

// NewHost returns a Host with no functions.
func NewHost(cfg Config) *Host {
	return &Host{cfg: cfg.withDefaults(), byName: make(map[string]*function), done: make(chan struct{})}
}

// Register adds a function, reachable by its Name and each alias.
func (h *Host) Register(spec FunctionSpec) error {
	if spec.Name == "" || spec.Executable == "" {
		return errors.New("register function: Name and Executable are required")
	}
	exe, err := filepath.Abs(spec.Executable)
	if err != nil {
		return fmt.Errorf("register function %s: %w", spec.Name, err)
	}
	spec.Executable = exe
	f := newFunction(h, spec.withDefaults(h.cfg))
	h.mu.Lock()
	defer h.mu.Unlock()
	names := append([]string{spec.Name}, spec.Aliases...)
	for _, n := range names {
		if _, dup := h.byName[n]; dup {
			return fmt.Errorf("register function %s: name %q already registered", spec.Name, n)
		}
	}
	for _, n := range names {
		h.byName[n] = f
	}
	h.funcs = append(h.funcs, f)
	return nil
}

// Invoke runs the named function synchronously (RequestResponse). The error
// is non-nil only when the function could not be run: ErrFunctionNotFound,
// ErrRequestTooLarge, ErrHostClosed or ctx's error. A failing function gives
// a Result with FunctionError set.
func (h *Host) Invoke(ctx context.Context, name string, payload []byte) (Result, error) {
	f, err := h.lookup(name)
	if err != nil {
		return Result{}, err
	}
	if len(payload) > MaxSyncPayload {
		return Result{}, fmt.Errorf("invoke %s: %w", name, ErrRequestTooLarge)
	}
	inv := newInvocation(payload)
	inv.functionARN = f.arn
	return f.invoke(ctx, inv)
}

// InvokeAsync queues an Event invocation and returns at once. Failures are
// logged; like Lambda without a destination, nobody else hears of them.
func (h *Host) InvokeAsync(name string, payload []byte) error {
	f, err := h.lookup(name)
	if err != nil {
		return err
	}
	if len(payload) > MaxAsyncPayload {
		return fmt.Errorf("invoke %s: %w", name, ErrRequestTooLarge)
	}
	inv := newInvocation(payload)
	inv.functionARN = f.arn
	return h.invokeAsync(f, inv)
}

func (h *Host) invokeAsync(f *function, inv *invocation) error {
	ok := h.track(func() {
		r, err := f.invoke(context.Background(), inv)
		switch {
		case err != nil:
			h.cfg.Logger.Warn("async invocation not run", "function", f.spec.Name, "request_id", inv.id, "err", err)
		case r.FunctionError != "":
			h.cfg.Logger.Warn("async invocation failed", "function", f.spec.Name, "request_id", inv.id)
		}
	})
	if !ok {
		return ErrHostClosed
	}
	return nil
}

// lookup resolves any accepted form of function name.
func (h *Host) lookup(name string) (*function, error) {
	bare, qualifier := splitFunctionName(name)
	h.mu.RLock()
	f, ok := h.byName[bare]
	h.mu.RUnlock()
	if !ok || bare == "" || !qualifierOK(qualifier) {
		return nil, &notFoundError{name: name}
	}
	return f, nil
}

// track runs fn in a goroutine that Close waits for, unless the host is closed.
func (h *Host) track(fn func()) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closed {
		return false
	}
	h.runs.Add(1)
	go func() {
		defer h.runs.Done()
		fn()
	}()
	return true
}

func (h *Host) isClosed() bool { return isClosed(h.done) }

// Close kills every function process, waits for them and for in-flight
// invocations to finish. It is safe to call more than once.
func (h *Host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	close(h.done)
	funcs := h.funcs
	h.mu.Unlock()
	for _, f := range funcs {
		f.killAll()
	}
	h.runs.Wait()
	for _, f := range funcs {
		f.killAll() // anything started while the runs wound down
	}
	return nil
}

// writeOutput copies a line to Config.Output, prefixed with the function name.
func (h *Host) writeOutput(name, line string) {
	if h.cfg.Output == nil {
		return
	}
	h.outMu.Lock()
	defer h.outMu.Unlock()
	_, _ = fmt.Fprintf(h.cfg.Output, "[%s] %s\n", name, line)
}
