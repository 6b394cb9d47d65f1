package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
)

// TestTrickledBodiesAreCutOffOnEveryEndpoint trickles a request body at the Invoke API and
// at @connections of `agentbridge dev --body-timeout 1s`: each is answered 408 after the
// deadline, and while they are held another client connects, emits and receives.
func TestTrickledBodiesAreCutOffOnEveryEndpoint(t *testing.T) {
	d := startDev(t, "--body-timeout", "1s")
	tab := d.dial(t, "e2e-trickle")
	id := connectionIDOf(t, tab)
	u, err := url.Parse(d.base)
	if err != nil {
		t.Fatal(err)
	}
	stage := d.ws[strings.LastIndex(d.ws, "/"):]
	paths := map[string]string{
		"Invoke API":   "/2015-03-31/functions/EmitFunction/invocations",
		"@connections": stage + "/@connections/" + url.PathEscape(id),
	}
	results := make(map[string]chan trickleResult, len(paths))
	for name, path := range paths {
		ch := make(chan trickleResult, 1)
		results[name] = ch
		go func() { ch <- trickleBody(u.Host, path) }()
	}

	other := d.dial(t, "e2e-trickle-other")
	if r := d.emit(t, `{"user_id":"e2e-trickle-other","type":"agent_started","run_id":"r1"}`); r.Delivered != 1 {
		t.Errorf("emit during the trickles: report %+v, want 1 delivered", r)
	}
	readEnvelopeFrom(t, other)

	for name, ch := range results {
		r := <-ch
		t.Logf("%s: answered %d after %s", name, r.status, r.after.Round(10*time.Millisecond))
		if r.status != http.StatusRequestTimeout {
			t.Errorf("%s: trickled body answered %d, want 408", name, r.status)
		}
	}
}

// connectionIDOf learns a client's id from the error frame of an unroutable message.
func connectionIDOf(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	if err := c.Write(t.Context(), websocket.MessageText, []byte(`{"action":"no-such-route"}`)); err != nil {
		t.Fatal(err)
	}
	_, data, err := c.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var frame struct {
		ConnectionID string `json:"connectionId"`
	}
	if err := json.Unmarshal(data, &frame); err != nil || frame.ConnectionID == "" {
		t.Fatalf("error frame %q: %v", data, err)
	}
	return frame.ConnectionID
}

type trickleResult struct {
	status int // 0: no response
	after  time.Duration
}

// trickleBody announces a 1000-byte body and sends a byte every 50ms until the server
// answers; 60s is a hang guard.
func trickleBody(addr, path string) trickleResult {
	start := time.Now()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return trickleResult{}
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(60 * time.Second))
	fmt.Fprintf(nc, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{", path, addr)
	go func() {
		for range 999 {
			time.Sleep(50 * time.Millisecond)
			if _, err := nc.Write([]byte(" ")); err != nil {
				return
			}
		}
	}()
	resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
	if err != nil {
		return trickleResult{after: time.Since(start)}
	}
	resp.Body.Close()
	return trickleResult{status: resp.StatusCode, after: time.Since(start)}
}

// TestUserDynamoDBEndpointLossAndRecoveryReported runs `agentbridge dev` against a DynamoDB
// endpoint it did not start, kills that server and starts an empty one on its port: the host
// restarts nothing, says once that the endpoint stopped answering and once that it answers
// again, recreates the tables and closes the connection whose mapping was lost.
func TestUserDynamoDBEndpointLossAndRecoveryReported(t *testing.T) {
	srv, err := dynamoserver.Start(t.Context(), dynamoserver.Options{ModuleRoot: repoDir})
	if err != nil {
		t.Fatalf("start a DynamoDB server for the host to use: %v", err)
	}
	t.Cleanup(func() { srv.Stop() })
	d := startDev(t, "--dynamodb-endpoint", srv.Endpoint)
	tab := d.dial(t, "e2e-external")

	srv.Stop()
	lost := d.waitLog(t, "DynamoDB is not answering")
	port := srv.Endpoint[strings.LastIndex(srv.Endpoint, ":")+1:]
	var p int
	fmt.Sscan(port, &p)
	srv2, err := dynamoserver.Start(t.Context(), dynamoserver.Options{ModuleRoot: repoDir, Port: p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv2.Stop() })
	back := d.waitLog(t, "DynamoDB answers again")
	t.Logf("host said:\n%s\n%s", lost, back)
	if strings.Count(d.stderr.String(), "DynamoDB is not answering") != 1 {
		t.Error("loss reported more than once")
	}
	if !strings.Contains(back, "tablesRecreated=2") || !strings.Contains(back, "connectionsClosed=1") {
		t.Errorf("recovery line %q, want both tables recreated and the connection closed", back)
	}
	if strings.Contains(d.stderr.String(), "DynamoDB server exited") {
		t.Error("the host treated the user's endpoint as its own server")
	}
	_, _, err = tab.Read(t.Context())
	if code := websocket.CloseStatus(err); code != 1012 {
		t.Errorf("connection that lost its mapping ended with %v, want close 1012", err)
	}
	after := d.dial(t, "e2e-external")
	if r := d.emit(t, `{"user_id":"e2e-external","type":"agent_started","run_id":"r1"}`); r.Delivered != 1 {
		t.Errorf("after recovery: report %+v, want 1 delivered", r)
	}
	readEnvelopeFrom(t, after)
}
