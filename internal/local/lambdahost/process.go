package lambdahost

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/agentbridge/agentbridge/internal/local/linewriter"
)

// process is one running function binary and the Runtime API it talks to.
// The pool hands it one invocation at a time through assign.
type process struct {
	fn  *function
	cmd *exec.Cmd
	srv *http.Server

	// assign is unbuffered: a send completes only when the process's
	// pending "next" call has received the invocation.
	assign chan *invocation
	// current is the invocation the process has taken and not yet answered.
	current atomic.Pointer[invocation]

	ready     chan struct{} // closed at the first "next" call
	readyOnce sync.Once
	// startedAt is when the binary was started; initDuration, written before ready is closed,
	// is the time from there to its first "next" call: Lambda's Init Duration.
	startedAt    time.Time
	initDuration time.Duration
	// initReported is set once a REPORT line has carried initDuration.
	initReported atomic.Bool

	initFailed chan struct{} // closed after /runtime/init/error
	initOnce   sync.Once
	initErr    Result // written before initFailed is closed

	exited  chan struct{} // closed once the process has been reaped
	exitErr error         // written before exited is closed

	stdout, stderr *linewriter.Writer
}

// startProcess starts the function binary with its own Runtime API listener.
func startProcess(f *function) (*process, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime api listener: %w", err)
	}
	p := &process{
		fn:         f,
		assign:     make(chan *invocation),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
		// Stamped before the Runtime API serves, which orders it before markReady reads it;
		// the exec follows within microseconds.
		startedAt: time.Now(),
	}
	p.srv = &http.Server{Handler: p.runtimeAPI(f.host.cfg.BodyTimeout), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()

	p.stdout = linewriter.New(func(line string) { f.emitLine(p, "stdout", line) })
	p.stderr = linewriter.New(func(line string) { f.emitLine(p, "stderr", line) })
	cmd := exec.Command(f.spec.Executable)
	cmd.Dir = f.spec.Dir
	cmd.Env = f.environ(ln.Addr().String(), newLogStreamName(time.Now()))
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	// Its own process group, so a kill also reaches anything it spawned.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Grandchildren holding the output pipes must not block reaping.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		_ = p.srv.Close()
		return nil, fmt.Errorf("start %s: %w", f.spec.Executable, err)
	}
	p.cmd = cmd
	go p.reap()
	return p, nil
}

// reap waits for the process, sweeps its group (Lambda discards the whole
// sandbox when the runtime exits) and shuts its Runtime API down.
func (p *process) reap() {
	err := p.cmd.Wait()
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	p.stdout.Flush()
	p.stderr.Flush()
	p.exitErr = err
	close(p.exited)
	_ = p.srv.Close()
}

// kill ends the process group and waits until the process is reaped.
func (p *process) kill() {
	if !p.hasExited() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	<-p.exited
}

func (p *process) hasExited() bool { return isClosed(p.exited) }
func (p *process) isReady() bool   { return isClosed(p.ready) }
func (p *process) pid() int        { return p.cmd.Process.Pid }

func (p *process) markReady() {
	p.readyOnce.Do(func() {
		p.initDuration = time.Since(p.startedAt)
		close(p.ready)
	})
}

// takeInitDuration returns the init duration for the process's first REPORT line, once.
func (p *process) takeInitDuration() (time.Duration, bool) {
	if !p.isReady() || p.initReported.Swap(true) {
		return 0, false
	}
	return p.initDuration, true
}

// failInit records the first init error the runtime reports.
func (p *process) failInit(r Result) {
	p.initOnce.Do(func() {
		p.initErr = r
		close(p.initFailed)
	})
}

// exitReason renders an exit like Lambda's "exit status 2" or "signal: killed".
func (p *process) exitReason() string {
	if p.exitErr == nil {
		return "exit status 0"
	}
	if ee, ok := p.exitErr.(*exec.ExitError); ok {
		return ee.ProcessState.String()
	}
	return p.exitErr.Error()
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}
