package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

// lifecycleCounter is a light recording invoker for tests that open thousands of
// connections: it keeps only the connection id of each $connect and how many times each
// id got a $disconnect, so the test's own bookkeeping does not swamp heap measurements.
type lifecycleCounter struct {
	mu          sync.Mutex
	connects    []string
	disconnects map[string]int
}

// newLifecycleCounter sizes its storage for n connections up front, so that growing it
// does not count as the gateway's memory.
func newLifecycleCounter(n int) *lifecycleCounter {
	return &lifecycleCounter{connects: make([]string, 0, n), disconnects: make(map[string]int, n)}
}

func (l *lifecycleCounter) Invoke(_ context.Context, function string, payload []byte) (lambdahost.Result, error) {
	var ev struct {
		RequestContext struct {
			ConnectionID string `json:"connectionId"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return lambdahost.Result{}, fmt.Errorf("decode %s event: %w", function, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch function {
	case "connect":
		l.connects = append(l.connects, ev.RequestContext.ConnectionID)
	case "disconnect":
		l.disconnects[ev.RequestContext.ConnectionID]++
	}
	return lambdahost.Result{Payload: []byte(`{"statusCode":200}`)}, nil
}

// counts returns how many $connect and $disconnect invocations arrived.
func (l *lifecycleCounter) counts() (connects, disconnects int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range l.disconnects {
		disconnects += n
	}
	return len(l.connects), disconnects
}

// snapshot copies what was recorded.
func (l *lifecycleCounter) snapshot() (connects []string, disconnects map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	disconnects = make(map[string]int, len(l.disconnects))
	for id, n := range l.disconnects {
		disconnects[id] = n
	}
	return append([]string(nil), l.connects...), disconnects
}

// checkOneDisconnectEach holds the recorded ids against each other: want connections, each
// with exactly one $disconnect, and no $disconnect for an id that never connected.
func checkOneDisconnectEach(t *testing.T, rec *lifecycleCounter, want int) {
	t.Helper()
	connects, disconnects := rec.snapshot()
	if len(connects) != want {
		t.Errorf("%d $connect invocations, want %d", len(connects), want)
	}
	seen := make(map[string]bool, len(connects))
	for _, id := range connects {
		seen[id] = true
		if got := disconnects[id]; got != 1 {
			t.Errorf("connection %s got %d $disconnect invocations, want 1", id, got)
		}
	}
	for id := range disconnects {
		if !seen[id] {
			t.Errorf("$disconnect for %s, which never connected", id)
		}
	}
}

// rawUpgrade completes a WebSocket handshake over a plain TCP socket and returns the
// socket, which the caller may then drop without a close frame. Unlike rawDial it reports
// errors instead of failing the test, so many goroutines can use it.
func rawUpgrade(addr, stage string) (net.Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, hangGuard)
	if err != nil {
		return nil, err
	}
	_ = nc.SetDeadline(time.Now().Add(hangGuard))
	fmt.Fprintf(nc, "GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", stage, addr)
	// A 16-byte buffer cannot read past the response head, and the server sends nothing
	// after the 101 until it is asked to.
	resp, err := http.ReadResponse(bufio.NewReaderSize(nc, 16), nil)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("raw handshake: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		nc.Close()
		return nil, fmt.Errorf("raw handshake: status %d", resp.StatusCode)
	}
	_ = nc.SetDeadline(time.Time{})
	return nc, nil
}

// eventually polls cond until it holds or the generous guard expires; what it waits for
// is an eventual state, never a speed.
func eventually(t *testing.T, guard time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startWith is start for an invoker other than the recorder; the fixture's rec is nil.
func startWith(t *testing.T, cfg Config, inv Invoker) *fixture {
	t.Helper()
	gw, err := New(cfg, inv)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(testRoutes(gw))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
		defer cancel()
		if err := gw.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		srv.Close()
	})
	return &fixture{gw: gw, srv: srv}
}
