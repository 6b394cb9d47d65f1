package bodydeadline_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/local/bodydeadline"
)

const (
	timeout = 300 * time.Millisecond
	guard   = 10 * time.Second // bounds waits; never an assertion about speed
)

// echo answers 408 when the body timed out, else echoes it after an optional pause.
func echo(pause time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if errors.Is(err, bodydeadline.ErrTimeout) {
			http.Error(w, err.Error(), http.StatusRequestTimeout)
			return
		}
		select {
		case <-time.After(pause):
		case <-r.Context().Done():
			return // the context died: the client sees no response, and the test fails
		}
		_, _ = w.Write(body)
	})
}

func serve(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(bodydeadline.Handler(h, timeout))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// trickle announces a 1000-byte body and sends one byte at a time until the server answers
// or hangs up, and returns the status it answered (0 for none).
func trickle(t *testing.T, addr, path string) int {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(guard))
	fmt.Fprintf(nc, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n\r\n", path, addr)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for range 1000 {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := nc.Write([]byte("x")); err != nil {
				return
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestTrickledBodyIsCutOffWhileOthersAreServed(t *testing.T) {
	t.Parallel()
	addr := serve(t, echo(0))
	done := make(chan int, 1)
	go func() { done <- trickle(t, addr, "/") }()

	// While the trickle is held, another client is served.
	resp, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello" {
		t.Errorf("other client got %q", b)
	}
	if got := <-done; got != http.StatusRequestTimeout {
		t.Errorf("trickled body answered %d, want 408", got)
	}
}

// A handler that outlives the body deadline after reading its body keeps its context:
// the deadline is cleared once the body is in. (http.Server.ReadTimeout fails this.)
func TestHandlerMayOutliveTheDeadlineOnceTheBodyIsIn(t *testing.T) {
	t.Parallel()
	addr := serve(t, echo(3*timeout))
	resp, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader("slow answer"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "slow answer" {
		t.Errorf("got %d %q, want 200 %q", resp.StatusCode, b, "slow answer")
	}
}

// A request without a body gets no deadline: long polls wait as long as they need.
func TestLongPollWithoutBodyIsNotCut(t *testing.T) {
	t.Parallel()
	addr := serve(t, echo(3*timeout))
	resp, err := http.Get("http://" + addr + "/next")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("long poll answered %d, want 200", resp.StatusCode)
	}
}

// A handler that never reads the body does not leave the connection to the trickler: the
// server's own drain of the unread body meets the deadline too.
func TestUnreadTrickledBodyIsCutOff(t *testing.T) {
	t.Parallel()
	addr := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(guard))
	fmt.Fprintf(nc, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
	if _, err := io.ReadAll(nc); err != nil { // ends when the server hangs up
		t.Fatalf("server kept the connection: %v", err)
	}
}
