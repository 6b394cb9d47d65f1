package stacktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/agentbridge/agentbridge/internal/stack/emit"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
	"github.com/agentbridge/agentbridge/internal/testsupport/mgmtapitest"
	"github.com/agentbridge/agentbridge/protocol"
)

// emitWith returns an emit handler on the stack whose fan-out has opts.
func emitWith(t *testing.T, s *stack, opts fanout.Options) *emit.Handler {
	t.Helper()
	opts.Now = func() time.Time { return s.now }
	poster := fanout.NewManagementClient(dynamotest.Shared(t).AWSConfig(), s.mgmt.Endpoint())
	return &emit.Handler{Deliverer: fanout.New(s.store, poster, opts), Now: opts.Now}
}

// thinkingEvents is a request of n agent_thinking events for alice, seq 0 to n-1.
func thinkingEvents(n int) json.RawMessage {
	evs := make([]string, n)
	for i := range evs {
		evs[i] = fmt.Sprintf(`{"type":"agent_thinking","run_id":"r1","seq":%d,"payload":{"text":"t%d"}}`, i, i)
	}
	return json.RawMessage(`{"user_id":"alice","events":[` + strings.Join(evs, ",") + `]}`)
}

// checkInOrder asserts a connection received exactly n envelopes, seq 0 to n-1.
func checkInOrder(t *testing.T, id string, posts [][]byte, n int) {
	t.Helper()
	envs := envelopes(t, posts)
	if len(envs) != n {
		t.Fatalf("%s received %d events, want %d", id, len(envs), n)
	}
	for i, env := range envs {
		if env.Seq == nil || *env.Seq != int64(i) {
			t.Fatalf("%s: event %d has seq %v", id, i, env.Seq)
		}
	}
}

// TestEmitSkipsAThrottledConnectionAndServesTheOthers: one of three connections answers 429 to
// everything. Its throttle budget is spent on the first message, the rest of its messages are
// skipped and counted throttled, it keeps its mapping, and the other two get every event once,
// in order. The SDK does not retry the 429s on top of the budget.
func TestEmitSkipsAThrottledConnectionAndServesTheOthers(t *testing.T) {
	s := newStack(t)
	ids := []string{"dGhyb3R0bGUtYQ==", "dGhyb3R0bGUtYg==", "dGhyb3R0bGUtYw=="}
	for _, id := range ids {
		s.connectAs(t, "alice", id)
	}
	s.mgmt.FailAlways(ids[1], mgmtapitest.LimitExceeded)
	h := emitWith(t, s, fanout.Options{ThrottleBudget: 200 * time.Millisecond})

	report, err := h.Handle(t.Context(), thinkingEvents(5))
	if err != nil {
		t.Fatal(err)
	}
	want := protocol.DeliveryReport{Events: 5, Connections: 3, Delivered: 10, Throttled: 5}
	if report != want {
		t.Errorf("report = %+v, want %+v", report, want)
	}
	checkInOrder(t, ids[0], s.mgmt.Posts(ids[0]), 5)
	checkInOrder(t, ids[2], s.mgmt.Posts(ids[2]), 5)
	// 200ms of backoff from 25ms upwards is at most a handful of posts, all of the first event.
	if n := s.mgmt.Attempts(ids[1]); n < 2 || n > 8 {
		t.Errorf("throttled connection got %d posts, want a few retries of its first message", n)
	}
	if rows := s.rows(t); len(rows) != 3 {
		t.Errorf("%d mappings left, want 3: a throttled connection is not gone", len(rows))
	}
}

// TestEmitAnswersBeforeItsDeadline: one connection takes posts and never answers. Emit, given
// 3 s, answers with a report before the deadline: the healthy connection has everything, the
// stalled one's post in flight counts failed and the rest not attempted; no goroutine is left.
func TestEmitAnswersBeforeItsDeadline(t *testing.T) {
	s := newStack(t)
	const healthy, stalled = "aGVhbHRoeS1jb25u", "c3RhbGxlZC1jb25u"
	s.connectAs(t, "alice", healthy)
	s.connectAs(t, "alice", stalled)
	s.mgmt.Stall(stalled)
	h := emitWith(t, s, fanout.Options{})

	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	deadline, _ := ctx.Deadline()
	report, err := h.Handle(ctx, thinkingEvents(4))
	if err != nil {
		t.Fatal(err)
	}
	if !time.Now().Before(deadline) {
		t.Errorf("emit answered after its deadline")
	}
	want := protocol.DeliveryReport{Events: 4, Connections: 2, Delivered: 4, Failed: 1, NotAttempted: 3}
	if report != want {
		t.Errorf("report = %+v, want %+v", report, want)
	}
	checkInOrder(t, healthy, s.mgmt.Posts(healthy), 4)
	assertNoGoroutines(t, "internal/stack/fanout.", "apigatewaymanagementapi.")
}

// TestEmitRefusesAFanoutBeyondItsBound: events x connections over the bound is a
// FanoutTooLarge function error naming how many events fit, with nothing sent; a single event
// is taken on whatever the number of connections.
func TestEmitRefusesAFanoutBeyondItsBound(t *testing.T) {
	s := newStack(t)
	ids := []string{"Ym91bmQtY29ubjE=", "Ym91bmQtY29ubjI=", "Ym91bmQtY29ubjM="}
	for _, id := range ids {
		s.connectAs(t, "alice", id)
	}
	h := emitWith(t, s, fanout.Options{MaxDeliveries: 4})

	_, err := h.Handle(t.Context(), thinkingEvents(2))
	var fe messages.InvokeResponse_Error
	if !errors.As(err, &fe) || fe.Type != protocol.ErrorTypeFanoutTooLarge || protocol.Retryable(fe.Type) {
		t.Fatalf("err = %v, want a non-retryable %s", err, protocol.ErrorTypeFanoutTooLarge)
	}
	if !strings.Contains(fe.Message, "at most 1 events") {
		t.Errorf("message %q does not say how many events fit", fe.Message)
	}
	for _, id := range ids {
		if n := s.mgmt.Attempts(id); n != 0 {
			t.Errorf("a refused fan-out posted %d messages to %s", n, id)
		}
	}
	report, err := h.Handle(t.Context(), thinkingEvents(1))
	if err != nil || report.Delivered != 3 {
		t.Fatalf("one event to three connections: %+v, %v", report, err)
	}
}

// TestEmitLeaves429ToTheFanout: with a budget of one retry, a connection answering 429 to
// everything is posted exactly twice (the first post and the budget's one retry): the
// management client's retryer adds none of its own. 5xx it still retries.
func TestEmitLeaves429ToTheFanout(t *testing.T) {
	s := newStack(t)
	const throttled, flaky = "b25lLXJldHJ5LWE=", "b25lLXJldHJ5LWI="
	s.connectAs(t, "alice", throttled)
	s.connectAs(t, "alice", flaky)
	s.mgmt.FailAlways(throttled, mgmtapitest.LimitExceeded)
	s.mgmt.FailNext(flaky, mgmtapitest.InternalError, mgmtapitest.InternalError)
	h := emitWith(t, s, fanout.Options{ThrottleBudget: time.Nanosecond})

	report, err := h.Handle(t.Context(), thinkingEvents(1))
	if err != nil {
		t.Fatal(err)
	}
	if want := (protocol.DeliveryReport{Events: 1, Connections: 2, Delivered: 1, Throttled: 1}); report != want {
		t.Errorf("report = %+v, want %+v", report, want)
	}
	if n := s.mgmt.Attempts(throttled); n != 2 {
		t.Errorf("throttled connection was posted %d times, want 2", n)
	}
	if n := s.mgmt.Attempts(flaky); n != 3 {
		t.Errorf("connection answering 500 twice was posted %d times, want 3", n)
	}
}
