package stacktest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/stack/stream"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
	"github.com/agentbridge/agentbridge/internal/testsupport/mgmtapitest"
)

// streamWith returns a stream handler on the stack with the given throttle budget (0: default).
func streamWith(t *testing.T, s *stack, budget time.Duration) *stream.Handler {
	t.Helper()
	poster := fanout.NewManagementClient(dynamotest.Shared(t).AWSConfig(), s.mgmt.Endpoint())
	return &stream.Handler{Stream: s.stream, Poster: poster, ThrottleBudget: budget}
}

// ask sends body on route from connID through h and returns the status it answers.
func ask(ctx context.Context, t *testing.T, h *stream.Handler, connID, route, body string) int {
	t.Helper()
	req := events.APIGatewayWebsocketProxyRequest{Body: body}
	req.RequestContext.RouteKey = route
	req.RequestContext.ConnectionID = connID
	resp, err := h.Handle(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// catchingUp stores five events of alice's run r1 (offsets 1 to 5) before connID connects, so
// they reach connID only by resume or replay.
func catchingUp(t *testing.T, connID string) *stack {
	t.Helper()
	s := newStack(t)
	if _, err := s.emit.Handle(t.Context(), thinkingEvents(5)); err != nil {
		t.Fatal(err)
	}
	s.connectAs(t, "alice", connID)
	return s
}

// wantCutShort asserts the posts to connID are exactly one error frame for action saying the
// answer was cut short.
func wantCutShort(t *testing.T, s *stack, connID, action string) {
	t.Helper()
	got := frames(t, s, connID)
	if len(got) != 1 {
		t.Fatalf("connection received %v, want only an error frame", got)
	}
	msg, _ := got[0]["message"].(string)
	if got[0]["type"] != "error" || got[0]["action"] != action || !strings.Contains(msg, "cut short") || !strings.Contains(msg, "ask again") {
		t.Errorf("got %v, want an error frame for %s saying the answer was cut short", got[0], action)
	}
}

// TestResumeAndReplayWaitOutThrottling: the first post of a resume is answered 429 twice, that
// of a replay three times; each answer still delivers every event once, in offset order, then
// its resumed or replayed, and answers 200.
func TestResumeAndReplayWaitOutThrottling(t *testing.T) {
	const conn = "dGhyb3R0bGVkLXJlc3VtZQ=="
	s := catchingUp(t, conn)
	h := streamWith(t, s, 0)

	s.mgmt.FailNext(conn, mgmtapitest.LimitExceeded, mgmtapitest.LimitExceeded)
	if code := ask(t.Context(), t, h, conn, "resume", `{"action":"resume","after":0}`); code != http.StatusOK {
		t.Errorf("resume answered %d, want 200", code)
	}
	posts := s.mgmt.Posts(conn)
	if len(posts) != 6 {
		t.Fatalf("resume delivered %d posts, want 5 events and resumed: %s", len(posts), posts)
	}
	checkInOrder(t, conn, posts[:5], 5)
	for i, env := range envelopes(t, posts[:5]) {
		if env.Offset != int64(i+1) {
			t.Errorf("post %d has offset %d, want %d", i, env.Offset, i+1)
		}
	}
	var resumed map[string]any
	if err := json.Unmarshal(posts[5], &resumed); err != nil || resumed["type"] != "resumed" || resumed["through"] != 5.0 || resumed["complete"] != true {
		t.Errorf("last post %s, want resumed through 5, complete", posts[5])
	}
	if n := s.mgmt.Attempts(conn); n != 8 {
		t.Errorf("%d posts attempted, want 8 (6 messages, 2 of them retried once)", n)
	}

	s.mgmt.FailNext(conn, mgmtapitest.LimitExceeded, mgmtapitest.LimitExceeded, mgmtapitest.LimitExceeded)
	if code := ask(t.Context(), t, h, conn, "replay", `{"action":"replay","run_id":"r1"}`); code != http.StatusOK {
		t.Errorf("replay answered %d, want 200", code)
	}
	replay := s.mgmt.Posts(conn)[6:]
	if len(replay) != 6 {
		t.Fatalf("replay delivered %d posts, want 5 events and replayed: %s", len(replay), replay)
	}
	checkInOrder(t, conn, replay[:5], 5)
	if !strings.Contains(string(replay[5]), `"type":"replayed"`) || !strings.Contains(string(replay[5]), `"complete":true`) {
		t.Errorf("last post %s, want replayed, complete", replay[5])
	}
}

// TestResumeThrottledPastItsBudgetEndsWithAnErrorFrame: with a budget of one retry (any wait is
// capped at the budget, so the first post is retried exactly once), the first event's post is
// answered 429 twice. The resume stops there, posts no resumed, and the error frame it posts
// instead (the connection takes posts again) tells the client to ask again; the answer is
// 500, not 410: the connection is not gone.
func TestResumeThrottledPastItsBudgetEndsWithAnErrorFrame(t *testing.T) {
	const conn = "b3Zlci1idWRnZXQ="
	s := catchingUp(t, conn)
	h := streamWith(t, s, time.Nanosecond)
	s.mgmt.FailNext(conn, mgmtapitest.LimitExceeded, mgmtapitest.LimitExceeded)

	if code := ask(t.Context(), t, h, conn, "resume", `{"action":"resume","after":0}`); code != http.StatusInternalServerError {
		t.Errorf("resume answered %d, want 500", code)
	}
	wantCutShort(t, s, conn, "resume")
	if n := s.mgmt.Attempts(conn); n != 3 {
		t.Errorf("%d posts attempted, want 3 (the first event twice, then the error frame)", n)
	}
}

// TestResumeThrottledThroughoutIsBounded: a connection answering 429 to everything costs a
// resume its budget (and the error frame's quarter of it), not more: it answers 500 after
// waiting about 300-375 ms, delivering nothing, with a handful of attempts.
func TestResumeThrottledThroughoutIsBounded(t *testing.T) {
	const conn = "dGhyb3R0bGVkLWFsd2F5cw=="
	s := catchingUp(t, conn)
	const budget = 300 * time.Millisecond
	h := streamWith(t, s, budget)
	s.mgmt.FailAlways(conn, mgmtapitest.LimitExceeded)

	start := time.Now()
	code := ask(t.Context(), t, h, conn, "resume", `{"action":"resume","after":0}`)
	elapsed := time.Since(start)
	if code != http.StatusInternalServerError {
		t.Errorf("resume answered %d, want 500", code)
	}
	if elapsed < budget || elapsed > budget+budget/4+2*time.Second {
		t.Errorf("resume took %v, want its budget of backoff (%v) plus at most a quarter more", elapsed, budget)
	}
	if posts := s.mgmt.Posts(conn); len(posts) != 0 {
		t.Errorf("delivered %s to a connection answering 429 to everything", posts)
	}
	// 300 ms of backoff from 25 ms upwards, and 75 ms more for the error frame.
	if n := s.mgmt.Attempts(conn); n < 4 || n > 12 {
		t.Errorf("%d posts attempted, want a few retries of the first event and of the error frame", n)
	}
}

// TestResumeThrottledStopsBeforeItsDeadline: with the default 2 s budget but 300 ms to live, a
// resume to a connection answering 429 to everything answers 500 within its deadline.
func TestResumeThrottledStopsBeforeItsDeadline(t *testing.T) {
	const conn = "ZGVhZGxpbmUtdGhyb3R0bGU="
	s := catchingUp(t, conn)
	h := streamWith(t, s, 0)
	s.mgmt.FailAlways(conn, mgmtapitest.LimitExceeded)

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	code := ask(ctx, t, h, conn, "resume", `{"action":"resume","after":0}`)
	if elapsed := time.Since(start); elapsed > 300*time.Millisecond+time.Second {
		t.Errorf("resume took %v with 300ms to live", elapsed)
	}
	if code != http.StatusInternalServerError {
		t.Errorf("resume answered %d, want 500", code)
	}
}

// TestReplayCutShortByServerErrorsEndsWithAnErrorFrame: the first event's post fails with 500 on
// each of the management client's three attempts. The replay stops, posts an error frame for
// replay instead of replayed, and answers 500.
func TestReplayCutShortByServerErrorsEndsWithAnErrorFrame(t *testing.T) {
	const conn = "c2VydmVyLWVycm9ycw=="
	s := catchingUp(t, conn)
	h := streamWith(t, s, 0)
	s.mgmt.FailNext(conn, mgmtapitest.InternalError, mgmtapitest.InternalError, mgmtapitest.InternalError)

	if code := ask(t.Context(), t, h, conn, "replay", `{"action":"replay","run_id":"r1"}`); code != http.StatusInternalServerError {
		t.Errorf("replay answered %d, want 500", code)
	}
	wantCutShort(t, s, conn, "replay")
	if n := s.mgmt.Attempts(conn); n != 4 {
		t.Errorf("%d posts attempted, want 4 (the first event three times, then the error frame)", n)
	}
}

// TestResumeToAGoneConnectionAnswers410: a connection answering 410 ends the resume at once
// with 410 and no error frame is attempted, whether it is gone from the first post or is
// throttled first and then gone.
func TestResumeToAGoneConnectionAnswers410(t *testing.T) {
	tests := []struct {
		name     string
		conn     string
		script   []mgmtapitest.Failure
		attempts int
	}{
		{"gone", "Z29uZS1jb25uLWE=", []mgmtapitest.Failure{mgmtapitest.Gone}, 1},
		{"throttled then gone", "Z29uZS1jb25uLWI=", []mgmtapitest.Failure{mgmtapitest.LimitExceeded, mgmtapitest.Gone}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := catchingUp(t, tt.conn)
			h := streamWith(t, s, 0)
			s.mgmt.FailNext(tt.conn, tt.script...)
			if code := ask(t.Context(), t, h, tt.conn, "resume", `{"action":"resume","after":0}`); code != http.StatusGone {
				t.Errorf("resume answered %d, want 410", code)
			}
			if n := s.mgmt.Attempts(tt.conn); n != tt.attempts {
				t.Errorf("%d posts attempted, want %d", n, tt.attempts)
			}
			if posts := s.mgmt.Posts(tt.conn); len(posts) != 0 {
				t.Errorf("gone connection received %s", posts)
			}
		})
	}
}
