package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/protocol"
)

// devProcess is `agentbridge dev` run as its own process, as a developer runs it.
type devProcess struct {
	cmd     *exec.Cmd
	ws      string // WebSocket URL with the stage
	base    string // Lambda Invoke API and host root
	mgmt    string // @connections endpoint
	dynamo  string
	stderr  *syncBuffer
	stopped chan struct{}
}

// startDev runs the dev binary on a free port with the test secret and waits for its banner.
func startDev(t *testing.T, args ...string) *devProcess {
	t.Helper()
	args = append([]string{"dev", "--port", "0", "--quiet", "--template", filepath.Join(repoDir, "template.yaml"),
		"--parameter-overrides", "DevHmacSecret=" + testSecret}, args...)
	cmd := exec.Command(filepath.Join(binDir, "agentbridge"), args...)
	cmd.Dir = repoDir
	cmd.Env = append(os.Environ(), "AWS_ENDPOINT_URL_DYNAMODB=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &devProcess{cmd: cmd, stderr: &syncBuffer{}, stopped: make(chan struct{})}
	cmd.Stderr = d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(d.stopped) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-d.stopped:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-d.stopped
		}
		if t.Failed() {
			t.Logf("agentbridge dev stderr:\n%s", d.stderr.String())
		}
	})
	banner := make(chan error, 1)
	go func() { banner <- d.readBanner(bufio.NewScanner(stdout)) }()
	select {
	case err := <-banner:
		if err != nil {
			t.Fatalf("agentbridge dev: %v\n%s", err, d.stderr.String())
		}
	case <-time.After(5 * time.Minute):
		t.Fatalf("agentbridge dev printed no banner\n%s", d.stderr.String())
	}
	return d
}

func (d *devProcess) readBanner(sc *bufio.Scanner) error {
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "WebSocket":
			d.ws = f[1]
		case len(f) == 2 && f[0] == "@connections":
			d.mgmt = f[1]
		case len(f) == 3 && f[0] == "Lambda" && f[1] == "Invoke":
			d.base = f[2]
		case len(f) == 2 && f[0] == "DynamoDB":
			d.dynamo = f[1]
		case len(f) > 0 && f[0] == "Press":
			go drain(sc)
			if d.ws == "" || d.base == "" || d.dynamo == "" {
				return fmt.Errorf("banner without endpoints")
			}
			return nil
		}
	}
	return fmt.Errorf("exited before its banner: %v", sc.Err())
}

func drain(sc *bufio.Scanner) {
	for sc.Scan() {
	}
}

// waitLog waits until the process's stderr has a line containing want and returns it.
func (d *devProcess) waitLog(t *testing.T, want string) string {
	t.Helper()
	var line string
	waitFor(t, "log line "+strconv.Quote(want), func() bool {
		for l := range strings.SplitSeq(d.stderr.String(), "\n") {
			if strings.Contains(l, want) {
				line = l
				return true
			}
		}
		return false
	})
	return line
}

// children lists the process ids the dev process started.
func (d *devProcess) children(t *testing.T) []int {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", d.cmd.Process.Pid))
	if err != nil || len(tasks) == 0 {
		t.Skip("needs /proc/<pid>/task/*/children (Linux)")
	}
	var pids []int
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		for _, s := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(s); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// dynamoPID is the child serving the DynamoDB port: the one whose command line names it.
func (d *devProcess) dynamoPID(t *testing.T) int {
	t.Helper()
	port := d.dynamo[strings.LastIndex(d.dynamo, ":")+1:]
	for _, pid := range d.children(t) {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		args := strings.Split(string(cmdline), "\x00")
		for i, a := range args {
			if a == "--port" && i+1 < len(args) && args[i+1] == port {
				return pid
			}
		}
	}
	t.Fatalf("no child of agentbridge dev serves DynamoDB on port %s", port)
	return 0
}

func (d *devProcess) dial(t *testing.T, user string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, d.ws, &websocket.DialOptions{Subprotocols: []string{auth.Subprotocol, "bearer." + token(t, user)}})
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}

func (d *devProcess) emit(t *testing.T, body string) protocol.DeliveryReport {
	t.Helper()
	lc := lambda.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: testCreds}, func(o *lambda.Options) {
		o.BaseEndpoint = aws.String(d.base)
	})
	out, err := lc.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(body)})
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if out.FunctionError != nil {
		t.Fatalf("emit failed: %s", out.Payload)
	}
	var r protocol.DeliveryReport
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("report %q: %v", out.Payload, err)
	}
	return r
}

func readEnvelopeFrom(t *testing.T, c *websocket.Conn) protocol.Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var env protocol.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		t.Fatalf("envelope %q: %v", data, err)
	}
	return env
}

// TestDynamoDBKilledUnderDevIsRestarted kills the dynalite that `agentbridge dev` started:
// the host says so, starts it again on the same port with the template's tables, closes the
// connections whose mappings died with it (1012, with a reason) so they reconnect, and
// connect and emit work again.
func TestDynamoDBKilledUnderDevIsRestarted(t *testing.T) {
	d := startDev(t)
	before := d.dial(t, "e2e-restart")
	if r := d.emit(t, `{"user_id":"e2e-restart","type":"agent_started","run_id":"r1"}`); r.Delivered != 1 {
		t.Fatalf("before the kill: report %+v, want 1 delivered", r)
	}
	readEnvelopeFrom(t, before)

	pid := d.dynamoPID(t)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	exited := d.waitLog(t, "DynamoDB server exited")
	restarted := d.waitLog(t, "DynamoDB server restarted")
	t.Logf("host said:\n%s\n%s", exited, restarted)
	if !strings.Contains(restarted, d.dynamo) {
		t.Errorf("restarted elsewhere than %s: %s", d.dynamo, restarted)
	}

	// The old connection is closed with a reason, not left receiving nothing.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, _, err := before.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 1012 || ce.Reason == "" {
		t.Fatalf("connection from before the restart ended with %v, want close 1012 with a reason", err)
	}
	t.Logf("old connection closed: %d %q", ce.Code, ce.Reason)

	after := d.dial(t, "e2e-restart")
	if r := d.emit(t, `{"user_id":"e2e-restart","type":"agent_completed","run_id":"r1","seq":1}`); r.Delivered != 1 || r.Connections != 1 {
		t.Fatalf("after the restart: report %+v, want exactly the new connection", r)
	}
	if env := readEnvelopeFrom(t, after); env.Type != protocol.AgentCompleted {
		t.Errorf("after the restart got %s", env.Type)
	}
	if pid2 := d.dynamoPID(t); pid2 == pid {
		t.Errorf("DynamoDB pid unchanged (%d)", pid)
	}
}

// syncBuffer is a bytes.Buffer safe for the process's writer and the test's reader.
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
