package lambdahost

import (
	"context"
	"sync"
	"time"
)

// maxHandoffs bounds how often one invocation is retried on another process
// after the chosen one died before taking it.
const maxHandoffs = 3

// function is a registered function and its warm pool of processes.
//
// Concurrency is bounded by slots: a caller holds a slot for the whole
// invocation, and a new process is started only when a slot holder finds no
// idle one, so there are never more processes than MaxConcurrency.
type function struct {
	host  *Host
	spec  FunctionSpec
	arn   string
	slots chan struct{}

	mu   sync.Mutex
	idle []*process            // warm, most recently used last
	all  map[*process]struct{} // every live process, for Close
}

func newFunction(h *Host, spec FunctionSpec) *function {
	return &function{
		host:  h,
		spec:  spec,
		arn:   "arn:aws:lambda:" + spec.Region + ":" + h.cfg.AccountID + ":function:" + spec.Name,
		slots: make(chan struct{}, spec.MaxConcurrency),
		all:   make(map[*process]struct{}),
	}
}

// invoke queues for a slot, then runs inv. The run itself is not tied to ctx:
// like Lambda, an invocation continues after its caller gives up.
func (f *function) invoke(ctx context.Context, inv *invocation) (Result, error) {
	select {
	case f.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	case <-f.host.done:
		return Result{}, ErrHostClosed
	}
	type outcome struct {
		r   Result
		err error
	}
	done := make(chan outcome, 1)
	if !f.host.track(func() {
		defer func() { <-f.slots }()
		r, err := f.run(inv)
		done <- outcome{r, err}
	}) {
		<-f.slots
		return Result{}, ErrHostClosed
	}
	select {
	case o := <-done:
		return o.r, o.err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// run hands inv to a process, moving it to another process when the chosen
// one died before taking it.
func (f *function) run(inv *invocation) (Result, error) {
	for range maxHandoffs {
		p, err := f.acquire()
		if err != nil {
			if f.host.isClosed() {
				return Result{}, ErrHostClosed
			}
			f.host.cfg.Logger.Error("function start failed", "function", f.spec.Name, "err", err)
			return failure("Runtime.InvalidEntrypoint", "RequestId: %s Error: %v", inv.id, err), nil
		}
		r, requeue := f.attempt(p, inv)
		if !requeue {
			if f.host.isClosed() && r.FunctionError != "" {
				return Result{}, ErrHostClosed
			}
			return r, nil
		}
		f.discard(p)
	}
	return failure("Runtime.ExitError", "RequestId: %s Error: Runtime exited before taking the invocation", inv.id), nil
}

// attempt runs inv on p. requeue means p died before taking it.
func (f *function) attempt(p *process, inv *invocation) (r Result, requeue bool) {
	if !p.isReady() {
		if r, ok := f.awaitInit(p, inv); !ok {
			f.discard(p)
			return r, false
		}
	}
	if hook := f.host.beforeHandoff; hook != nil {
		hook(p.pid())
	}
	if p.hasExited() {
		return Result{}, true
	}
	inv.deadline = time.Now().Add(f.spec.Timeout)
	select {
	case p.assign <- inv:
		if !<-inv.handoff {
			return Result{}, true
		}
	case <-p.exited:
		return Result{}, true
	}
	f.logf(inv, "START RequestId: %s Version: $LATEST", inv.id)
	start := time.Now()
	r = f.await(p, inv)
	f.logReport(inv, time.Since(start))
	return r, false
}

// awaitInit waits for a fresh process's first "next" call.
func (f *function) awaitInit(p *process, inv *invocation) (Result, bool) {
	timer := time.NewTimer(f.host.cfg.InitTimeout)
	defer timer.Stop()
	select {
	case <-p.ready:
		return Result{}, true
	case <-p.initFailed:
		p.kill()
		return p.initErr, false
	case <-p.exited:
		if p.isReady() {
			return Result{}, true // the hand-off will see the exit and requeue
		}
		if isClosed(p.initFailed) {
			return p.initErr, false
		}
		return failure("Runtime.InitError", "RequestId: %s Error: Runtime exited with error: %s", inv.id, p.exitReason()), false
	case <-timer.C:
		p.kill()
		return failure("Sandbox.Timedout", "RequestId: %s Error: Runtime init timed out after %.2f seconds",
			inv.id, f.host.cfg.InitTimeout.Seconds()), false
	}
}

// await waits for the process's answer, its deadline or its death; the first
// to settle inv decides the outcome.
func (f *function) await(p *process, inv *invocation) Result {
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case r := <-inv.result:
		f.release(p)
		return r
	case <-timer.C:
		if !inv.settle(failure("Sandbox.Timedout", "RequestId: %s Error: Task timed out after %.2f seconds",
			inv.id, f.spec.Timeout.Seconds())) {
			f.release(p) // the answer arrived just in time
			return <-inv.result
		}
		f.host.cfg.Logger.Warn("invocation timed out", "function", f.spec.Name, "request_id", inv.id)
	case <-p.exited:
		inv.settle(failure("Runtime.ExitError", "RequestId: %s Error: Runtime exited with error: %s", inv.id, p.exitReason()))
	}
	f.discard(p)
	return <-inv.result
}

// acquire returns a warm process, or starts one (a cold start).
func (f *function) acquire() (*process, error) {
	f.mu.Lock()
	for len(f.idle) > 0 {
		p := f.idle[len(f.idle)-1]
		f.idle = f.idle[:len(f.idle)-1]
		if !p.hasExited() {
			f.mu.Unlock()
			return p, nil
		}
		delete(f.all, p)
	}
	f.mu.Unlock()
	p, err := startProcess(f)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.all[p] = struct{}{}
	f.mu.Unlock()
	if f.host.isClosed() {
		f.discard(p)
		return nil, ErrHostClosed
	}
	return p, nil
}

// release returns a process that answered to the warm pool.
func (f *function) release(p *process) {
	f.mu.Lock()
	if !p.hasExited() && !f.host.isClosed() {
		f.idle = append(f.idle, p)
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	f.discard(p)
}

// discard kills p and forgets it; its slot is refilled lazily.
func (f *function) discard(p *process) {
	p.kill()
	f.mu.Lock()
	delete(f.all, p)
	f.mu.Unlock()
}

// killAll ends every process of this function and waits for them.
func (f *function) killAll() {
	f.mu.Lock()
	procs := make([]*process, 0, len(f.all))
	for p := range f.all {
		procs = append(procs, p)
	}
	f.idle = nil
	f.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
}
