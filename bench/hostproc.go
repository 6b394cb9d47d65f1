package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// benchSecret signs the development tokens the benchmark's clients present; the child host is
// started with it as AGENTBRIDGE_DEV_SECRET, which `agentbridge dev` passes to DevHmacSecret.
const benchSecret = "agentbridge-bench-secret-not-for-production"

// hostProc is `agentbridge dev` running as a child process.
type hostProc struct {
	cmd      *exec.Cmd
	addr     string // 127.0.0.1:port
	stage    string
	dynamoEP string
	stderr   *tailBuffer
	done     chan error
}

// buildHost compiles cmd/agentbridge into dir once per run.
func buildHost(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "agentbridge")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/agentbridge")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("build agentbridge: %w: %s", err, out)
	}
	return bin, nil
}

// startHost runs `agentbridge dev --quiet` on a free loopback port and waits for its banner.
func startHost(ctx context.Context, bin, root string) (*hostProc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "dev", "--quiet", "--port", strconv.Itoa(port),
		"--template", filepath.Join(root, "template.yaml"))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "AGENTBRIDGE_DEV_SECRET="+benchSecret)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	h := &hostProc{cmd: cmd, addr: fmt.Sprintf("127.0.0.1:%d", port), stderr: &tailBuffer{max: 8 << 10}, done: make(chan error, 1)}
	cmd.Stderr = h.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start host: %w", err)
	}
	go func() { h.done <- cmd.Wait() }()
	if err := h.awaitBanner(ctx, stdout); err != nil {
		h.stop()
		return nil, err
	}
	return h, nil
}

// awaitBanner reads the banner until "Press Ctrl-C", learning the stage and DynamoDB endpoint.
func (h *hostProc) awaitBanner(ctx context.Context, stdout io.Reader) error {
	ready := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 2 && f[0] == "WebSocket":
				h.stage = f[1][strings.LastIndex(f[1], "/")+1:]
			case len(f) == 2 && f[0] == "DynamoDB":
				h.dynamoEP = f[1]
			case strings.HasPrefix(sc.Text(), "Press Ctrl-C"):
				ready <- nil
				_, _ = io.Copy(io.Discard, stdout)
				return
			}
		}
		ready <- errors.New("host exited before it was ready")
	}()
	select {
	case err := <-ready:
		if err != nil {
			return fmt.Errorf("%w: %s", err, h.stderr.String())
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(3 * time.Minute):
		return fmt.Errorf("host not ready after 3 minutes: %s", h.stderr.String())
	}
}

func (h *hostProc) baseURL() string { return "http://" + h.addr }
func (h *hostProc) wsURL() string   { return "ws://" + h.addr + "/" + h.stage }

// rssBytes is the host process's resident set size from /proc/PID/status (VmRSS).
func (h *hostProc) rssBytes() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", h.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("read host RSS: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("read host RSS: no VmRSS line")
}

// stop interrupts the host so it closes sockets, functions and dynalite, and kills it if it
// has not finished within a minute.
func (h *hostProc) stop() {
	_ = h.cmd.Process.Signal(os.Interrupt)
	select {
	case <-h.done:
	case <-time.After(time.Minute):
		_ = h.cmd.Process.Kill()
		<-h.done
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tailBuffer keeps the last max bytes written, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
