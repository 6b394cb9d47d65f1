package client_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/client/clienttest"
	"github.com/agentbridge/agentbridge/protocol"
)

func TestEventIDIsSetOnceAndReusedOnRetries(t *testing.T) {
	srv, c := newFixture(t, client.Config{}, failFirst(2, clienttest.Response{
		FunctionError: &protocol.FunctionError{ErrorType: protocol.ErrorTypeUnavailable, ErrorMessage: "store down"}}))
	run := c.Run("alice", "run-1", client.RunOptions{})
	if _, err := run.Thinking(testContext(t), "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Emit(testContext(t), protocol.Event{Type: protocol.AgentThinking, EventID: "evt_mine", Payload: []byte(`{"text":"y"}`)}); err != nil {
		t.Fatal(err)
	}
	invokes := srv.Invokes()
	if len(invokes) != 4 {
		t.Fatalf("%d invokes, want 3 for the first event and 1 for the second", len(invokes))
	}
	id := invokes[0].Events[0].EventID
	if !strings.HasPrefix(id, "evt_") || len(id) != len("evt_")+26 {
		t.Fatalf("event id %q, want evt_ and 26 characters", id)
	}
	for _, inv := range invokes[1:3] {
		if got := inv.Events[0].EventID; got != id {
			t.Errorf("retry sent event id %q, want the first attempt's %q", got, id)
		}
	}
	if got := invokes[3].Events[0].EventID; got != "evt_mine" {
		t.Errorf("caller's event id became %q", got)
	}
}

func TestSendFillsMissingEventIDs(t *testing.T) {
	srv, c := newFixture(t, client.Config{}, nil)
	_, err := c.Send(testContext(t), "alice",
		protocol.Event{Type: protocol.AgentStarted, RunID: "r"},
		protocol.Event{Type: protocol.AgentStarted, RunID: "r", EventID: "evt_kept"})
	if err != nil {
		t.Fatal(err)
	}
	evs := srv.Invokes()[0].Events
	if evs[0].EventID == "" || evs[0].EventID == evs[1].EventID || evs[1].EventID != "evt_kept" {
		t.Errorf("event ids %q, %q", evs[0].EventID, evs[1].EventID)
	}
}

// A report with undelivered messages is an answer, not a failure: one invoke, the report
// returned as it is, its counts in Stats.
func TestPartialDeliveryIsAReportNotAnError(t *testing.T) {
	partial := protocol.DeliveryReport{Events: 3, Connections: 3, Delivered: 6, Throttled: 2, NotAttempted: 1}
	srv, c := newFixture(t, client.Config{}, func(clienttest.Invoke) clienttest.Response {
		return clienttest.Response{Report: &partial}
	})
	rep, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
	if err != nil || rep == nil || *rep != partial {
		t.Fatalf("report %+v, err %v; want %+v", rep, err, partial)
	}
	if n := len(srv.Invokes()); n != 1 {
		t.Errorf("%d invokes, want 1", n)
	}
	if s := c.Stats(); s.Throttled != 2 || s.NotAttempted != 1 || s.Delivered != 6 {
		t.Errorf("stats %+v", s)
	}
}

// A function that stopped part way may have delivered: the request is not resent unless the
// client is told that resending is safe.
func TestUnknownOutcomeIsNotResent(t *testing.T) {
	cases := map[string]clienttest.Response{
		"timed out": {FunctionError: &protocol.FunctionError{ErrorType: "Sandbox.Timedout", ErrorMessage: "Task timed out after 29.00 seconds"}},
		"crashed":   {FunctionError: &protocol.FunctionError{ErrorType: "Runtime.ExitError", ErrorMessage: "exit status 2"}},
	}
	for name, resp := range cases {
		t.Run(name, func(t *testing.T) {
			srv, c := newFixture(t, client.Config{}, failFirst(2, resp))
			_, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
			var e *client.Error
			if !errors.As(err, &e) || !e.OutcomeUnknown || e.Type != resp.FunctionError.ErrorType {
				t.Fatalf("err = %#v, want an OutcomeUnknown %s", err, resp.FunctionError.ErrorType)
			}
			if n := len(srv.Invokes()); n != 1 {
				t.Errorf("%d invokes, want 1", n)
			}

			srv, c = newFixture(t, client.Config{ResendUnknownOutcome: true}, failFirst(2, resp))
			if _, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x"); err != nil {
				t.Fatalf("with ResendUnknownOutcome: %v", err)
			}
			if n := len(srv.Invokes()); n != 3 {
				t.Errorf("with ResendUnknownOutcome: %d invokes, want 3", n)
			}
		})
	}
}

// A connection that drops after the request was sent leaves the outcome unknown.
func TestConnectionLostAfterSendingIsNotResent(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")})
	c := client.New(lc, "", client.Config{})
	_, err := c.Run("alice", "run-1", client.RunOptions{}).Thinking(testContext(t), "x")
	var e *client.Error
	if !errors.As(err, &e) || !e.OutcomeUnknown {
		t.Fatalf("err = %v, want an OutcomeUnknown *client.Error", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d invokes reached the server, want 1", n)
	}
}

// A fan-out refused as too large sent nothing: the client sends it again in halves, in order,
// until each part is taken, and sums their reports.
func TestFanoutTooLargeIsSplitInOrder(t *testing.T) {
	srv, c := newFixture(t, client.Config{}, func(inv clienttest.Invoke) clienttest.Response {
		if len(inv.Events) > 2 {
			return clienttest.Response{FunctionError: &protocol.FunctionError{ErrorType: protocol.ErrorTypeFanoutTooLarge, ErrorMessage: "send at most 2 events"}}
		}
		return clienttest.Response{}
	})
	evs := make([]protocol.Event, 5)
	for i := range evs {
		seq := int64(i)
		evs[i] = protocol.Event{Type: protocol.AgentThinking, RunID: "r", Seq: &seq, Payload: []byte(`{"text":"x"}`)}
	}
	rep, err := c.Send(testContext(t), "alice", evs...)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Events != 5 || rep.Delivered != 5 {
		t.Errorf("report %+v, want 5 events delivered", rep)
	}
	var sizes []int
	var accepted []protocol.Event
	for _, inv := range srv.Invokes() {
		sizes = append(sizes, len(inv.Events))
		if len(inv.Events) <= 2 {
			accepted = append(accepted, inv.Events...)
		}
	}
	if want := []int{5, 2, 3, 1, 2}; !equalInts(sizes, want) {
		t.Errorf("invoke sizes %v, want %v", sizes, want)
	}
	checkSeqOrder(t, accepted, 5)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
