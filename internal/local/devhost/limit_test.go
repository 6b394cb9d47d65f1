package devhost

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

const limitGuard = 10 * time.Second // bounds waits; never an assertion about speed

// serveLimited serves h behind a connLimiter of max on a loopback port.
func serveLimited(t *testing.T, max int, h http.Handler) (string, *connLimiter) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimiter(ln, max, slog.New(slog.DiscardHandler))
	srv := &http.Server{Handler: h, ConnState: l.connState, ReadHeaderTimeout: limitGuard}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), l
}

func get(addr, path string) (int, string, error) {
	c := &http.Client{Timeout: limitGuard, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// Half-open connections fill the cap: the next client gets a 503 saying why instead of
// hanging, and is served again once one of them goes. Hijacked connections (WebSockets)
// do not count.
func TestConnectionCapRefusesWithAClearError(t *testing.T) {
	t.Parallel()
	const max = 8
	hijacked := make(chan net.Conn, 4)
	addr, l := serveLimited(t, max, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hijack" {
			c, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				hijacked <- c
			}
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))

	// Upgraded connections leave the count.
	for range 4 {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		fmt.Fprintf(nc, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n")
		defer (<-hijacked).Close()
	}
	waitCount(t, l, 0)

	var silent []net.Conn
	for range max {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		silent = append(silent, nc)
	}
	waitCount(t, l, max)

	status, body, err := get(addr, "/")
	if err != nil || status != http.StatusServiceUnavailable || !strings.Contains(body, "too many connections") {
		t.Fatalf("over the cap: %d %q %v, want 503 saying too many connections", status, body, err)
	}
	_ = silent[0].Close()
	waitCount(t, l, max-1)
	if status, body, err := get(addr, "/"); err != nil || status != http.StatusOK || body != "ok" {
		t.Fatalf("under the cap again: %d %q %v", status, body, err)
	}
}

func waitCount(t *testing.T, l *connLimiter, want int64) {
	t.Helper()
	deadline := time.Now().Add(limitGuard)
	for l.n.Load() != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections counted, want %d", l.n.Load(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
