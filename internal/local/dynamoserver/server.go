package dynamoserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Kind names a DynamoDB-compatible server.
type Kind string

// The servers Start can run.
const (
	Dynalite Kind = "dynalite"
	Moto     Kind = "moto"
)

// Options say which server to start and where to find it; the zero value starts dynalite from
// ./node_modules.
type Options struct {
	// Kind is the server to run. Default Dynalite.
	Kind Kind
	// ModuleRoot holds node_modules/.bin/dynalite. Default: the working directory.
	ModuleRoot string
	// Port to bind on 127.0.0.1. Default 0: a free one.
	Port int
	// Output receives the server's own output. Default: discarded.
	Output io.Writer
}

// withDefaults returns o with every unset field at its documented default (a zero Port stays
// zero: Start then picks a free port).
func (o Options) withDefaults() Options {
	if o.Kind == "" {
		o.Kind = Dynalite
	}
	return o
}

// Server is a running DynamoDB-compatible server.
type Server struct {
	Endpoint string
	Kind     Kind
	opts     Options // as started, Port set: Restart reuses them
	cmd      *exec.Cmd
	done     chan struct{}
	exitErr  error // written before done is closed
}

// Start runs a server and waits until it answers.
func Start(ctx context.Context, opts Options) (*Server, error) {
	opts = opts.withDefaults()
	port := opts.Port
	if port == 0 {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		port = p
	}
	cmd, err := command(opts, port)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = opts.Output, opts.Output
	cmd.SysProcAttr = childAttrs()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", opts.Kind, err)
	}
	opts.Port = port
	s := &Server{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), Kind: opts.Kind, opts: opts, cmd: cmd, done: make(chan struct{})}
	go func() { s.exitErr = cmd.Wait(); close(s.done) }()
	if err := s.waitReady(ctx, 30*time.Second); err != nil {
		s.Stop()
		return nil, fmt.Errorf("%s on port %d: %w", opts.Kind, port, err)
	}
	return s, nil
}

func command(opts Options, port int) (*exec.Cmd, error) {
	p := strconv.Itoa(port)
	switch opts.Kind {
	case Moto:
		return exec.Command("moto_server", "-H", "127.0.0.1", "-p", p), nil
	case Dynalite:
		bin := filepath.Join(opts.ModuleRoot, "node_modules", ".bin", "dynalite")
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("dynalite is not installed (run `npm ci`): %w", err)
		}
		return exec.Command(bin, "--host", "127.0.0.1", "--port", p,
			"--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"), nil
	}
	return nil, fmt.Errorf("unknown DynamoDB server kind %q", opts.Kind)
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.done:
			return errors.New("server exited during start-up")
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Exited is closed when the server process has exited, whatever the cause.
func (s *Server) Exited() <-chan struct{} { return s.done }

// ExitErr is how the process ended (for example "signal: killed"); valid once Exited is closed.
func (s *Server) ExitErr() error {
	<-s.done
	return s.exitErr
}

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Restart starts a new server of the same kind on the same port, so endpoints handed out
// before (AWS_ENDPOINT_URL_DYNAMODB of running functions) stay valid. The new server is
// empty: an in-memory server's tables died with it.
func (s *Server) Restart(ctx context.Context) (*Server, error) {
	s.Stop()
	return Start(ctx, s.opts)
}

// Stop kills the server and waits for it to exit.
func (s *Server) Stop() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
