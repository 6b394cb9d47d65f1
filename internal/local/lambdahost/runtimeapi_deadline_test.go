package lambdahost

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A runtime that trickles its response body is cut off with 408 after the body timeout while
// other requests are served; a long-poll next that waits longer than that timeout is not cut.
func TestRuntimeAPITrickledBodyIsCutOff(t *testing.T) {
	const bodyTimeout = 300 * time.Millisecond
	s := newScriptedWith(t, bodyTimeout)
	inv := newInvocation([]byte(`{}`))

	next := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Get(s.url + "invocation/next")
		if err != nil {
			t.Error(err)
		}
		next <- resp
	}()
	time.Sleep(3 * bodyTimeout) // the long poll waits across several body timeouts
	taken := s.offer(inv)
	if resp := <-next; resp == nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("next after a long wait = %v, want 200", resp)
	}
	<-taken

	addr := strings.TrimPrefix(strings.TrimSuffix(s.url, "/2018-06-01/runtime/"), "http://")
	status := make(chan int, 1)
	go func() { status <- trickle(addr, "/2018-06-01/runtime/invocation/"+inv.id+"/response") }()

	// Served while the trickle is held.
	if resp, _ := s.do(t, http.MethodPost, "invocation/other/response", []byte(`"x"`), nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("post during the trickle = %d, want 400 InvalidRequestID", resp.StatusCode)
	}
	if got := <-status; got != http.StatusRequestTimeout {
		t.Errorf("trickled response body answered %d, want 408", got)
	}
	// The invocation is still the runtime's to answer properly.
	if resp, _ := s.do(t, http.MethodPost, "invocation/"+inv.id+"/response", []byte(`"done"`), nil); resp.StatusCode != http.StatusAccepted {
		t.Errorf("response after the trickle = %d, want 202", resp.StatusCode)
	}
}

// trickle announces a 1000-byte body, sends one byte every 20ms and returns the status the
// server answered, 0 when it answered nothing within 10s.
func trickle(addr, path string) int {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return 0
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(nc, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: 1000\r\n\r\n", path, addr)
	go func() {
		for range 1000 {
			time.Sleep(20 * time.Millisecond)
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
