package stacktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/emit"
	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
	"github.com/agentbridge/agentbridge/protocol"
)

// control sends body on route from connID through the stream function, as API Gateway does.
func (s *stack) control(t *testing.T, connID, route, body string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "message.json"))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	req.Body = body
	req.RequestContext.RouteKey = route
	req.RequestContext.ConnectionID = connID
	if _, err := s.streamFn.Handle(t.Context(), req); err != nil {
		t.Fatal(err)
	}
}

// frames decodes every post to connID as a JSON object.
func frames(t *testing.T, s *stack, connID string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, p := range s.mgmt.Posts(connID) {
		var m map[string]any
		if err := json.Unmarshal(p, &m); err != nil {
			t.Fatalf("post %q: %v", p, err)
		}
		out = append(out, m)
	}
	return out
}

func TestResumeSendsMissedEventsThenResumed(t *testing.T) {
	s := newStack(t)
	const early, late = "ZWFybHktY29ubg==", "bGF0ZS1jb25uMQ=="
	s.connectAs(t, "alice", early)
	if _, err := emitJSON(t, s, twoEvents); err != nil {
		t.Fatal(err)
	}
	s.connectAs(t, "alice", late)
	s.control(t, late, "resume", `{"action":"resume","after":1}`)
	got := frames(t, s, late)
	want := []map[string]any{{"type": "tool_executing", "offset": 2.0}, {"type": "resumed", "after": 1.0, "through": 2.0, "complete": true}}
	if len(got) != len(want) {
		t.Fatalf("late connection received %v", got)
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Errorf("frame %d: %s = %v, want %v (%v)", i, k, got[i][k], v, got[i])
			}
		}
	}
	if live := envelopes(t, s.mgmt.Posts(early)); string(s.mgmt.Posts(early)[1]) != string(s.mgmt.Posts(late)[0]) || live[1].Offset != 2 {
		t.Errorf("resumed envelope differs from the live one:\n%s\n%s", s.mgmt.Posts(early)[1], s.mgmt.Posts(late)[0])
	}
}

func TestReplayAndResumeStayWithinTheConnectionsUser(t *testing.T) {
	s := newStack(t)
	const mallory = "bWFsbG9yeS1jb25u"
	s.connectAs(t, "mallory", mallory)
	if _, err := emitJSON(t, s, twoEvents); err != nil { // alice's run-1
		t.Fatal(err)
	}
	s.control(t, mallory, "replay", `{"action":"replay","run_id":"run-1"}`)
	s.control(t, mallory, "resume", `{"action":"resume","after":0}`)
	got := frames(t, s, mallory)
	if len(got) != 2 || got[0]["type"] != "replayed" || got[0]["complete"] != true || got[0]["through"] != 0.0 ||
		got[1]["type"] != "resumed" || got[1]["through"] != 0.0 {
		t.Errorf("mallory received %v, want only an empty replayed and an empty resumed", got)
	}
}

func TestMalformedControlMessagesGetAnErrorFrame(t *testing.T) {
	s := newStack(t)
	const conn = "Y29udHJvbC1jb25u"
	s.connectAs(t, "alice", conn)
	tests := []struct{ route, body, wantMessage string }{
		{"resume", `{"action":"resume","after":-1}`, "after: must be an integer >= 0"},
		{"resume", `{"action":"resume","after":1.5}`, "after: must be an integer >= 0"},
		{"resume", `{"action":"resume","after":"3"}`, "after: must be an integer >= 0"},
		{"resume", `{"action":"resume"}`, "after: required"},
		{"resume", `{"action":"resume","after":1,"user_id":"bob"}`, `unknown field "user_id"`},
		{"resume", `{"action":"resume","after":1,"after":2}`, "not a JSON object"},
		{"resume", `not json`, "not a JSON object"},
		{"replay", `{"action":"replay"}`, "run_id: required"},
		{"replay", `{"action":"replay","run_id":"a b"}`, "run_id: invalid id"},
		{"replay", `{"action":"replay","run_id":7}`, "run_id: must be a string"},
	}
	for _, tt := range tests {
		s.control(t, conn, tt.route, tt.body)
	}
	got := frames(t, s, conn)
	if len(got) != len(tests) {
		t.Fatalf("got %d frames for %d requests: %v", len(got), len(tests), got)
	}
	for i, tt := range tests {
		msg, _ := got[i]["message"].(string)
		if got[i]["type"] != "error" || got[i]["action"] != tt.route || !strings.Contains(msg, tt.wantMessage) {
			t.Errorf("%s: got %v, want an error frame containing %q", tt.body, got[i], tt.wantMessage)
		}
	}
}

func TestControlFromAConnectionWithoutOwnerIsRefused(t *testing.T) {
	s := newStack(t)
	const stranger = "c3RyYW5nZXItY29ubg=="
	s.control(t, stranger, "resume", `{"action":"resume","after":0}`)
	got := frames(t, s, stranger)
	if len(got) != 1 || got[0]["type"] != "error" {
		t.Errorf("got %v, want one error frame", got)
	}
}

func TestRetriedEmitDeliversTheStoredEnvelopesAgain(t *testing.T) {
	s := newStack(t)
	const conn = "cmV0cnktY29ubjE="
	s.connectAs(t, "alice", conn)
	body := `{"user_id":"alice","events":[{"type":"agent_started","event_id":"evt_1","run_id":"r1"},{"type":"agent_completed","event_id":"evt_2","run_id":"r1"}]}`
	first, err := emitJSON(t, s, body)
	if err != nil {
		t.Fatal(err)
	}
	s.now = s.now.Add(1500 * 1e6) // a later retry renders a later timestamp
	second, err := emitJSON(t, s, body)
	if err != nil {
		t.Fatal(err)
	}
	if first.Stored != 2 || first.Duplicates != 0 || second.Stored != 0 || second.Duplicates != 2 || second.Delivered != 2 {
		t.Errorf("reports %+v then %+v", first, second)
	}
	posts := s.mgmt.Posts(conn)
	if len(posts) != 4 || string(posts[0]) != string(posts[2]) || string(posts[1]) != string(posts[3]) {
		t.Errorf("the retry delivered different envelopes:\n%s", posts)
	}
}

// TestStoreFailureDeliversNothing: a stream table that cannot be written fails the emit with a
// retryable ServiceUnavailable before any connection is read or posted to.
func TestStoreFailureDeliversNothing(t *testing.T) {
	s := newStack(t)
	const conn = "c3RvcmUtZmFpbHVyZQ=="
	s.connectAs(t, "alice", conn)
	broken := eventstream.New(dynamotest.Shared(t).Client(), "no-such-stream-table", eventstream.Options{})
	h := &emit.Handler{Deliverer: fanout.New(s.store, fanout.NewManagementClient(dynamotest.Shared(t).AWSConfig(), s.mgmt.Endpoint()), fanout.Options{}), Stream: broken}
	report, err := h.Handle(t.Context(), json.RawMessage(twoEvents))
	var fe messages.InvokeResponse_Error
	if !errors.As(err, &fe) || fe.Type != protocol.ErrorTypeUnavailable || !protocol.Retryable(fe.Type) {
		t.Fatalf("err = %v, want a retryable %s", err, protocol.ErrorTypeUnavailable)
	}
	if report.Delivered != 0 || report.Stored != 0 || s.mgmt.Attempts(conn) != 0 {
		t.Errorf("report %+v, %d posts: want nothing stored or delivered", report, s.mgmt.Attempts(conn))
	}
}

// TestSlowStreamTableMeansNothingDelivered: the stream table answers 30 s late (the fault proxy
// between the stream store and DynamoDB; the connections table is fine); emit, given 300 ms,
// returns a retryable ServiceUnavailable, posts nothing and leaves no goroutine working.
func TestSlowStreamTableMeansNothingDelivered(t *testing.T) {
	s := newStack(t)
	s.connectAs(t, "alice", faultConn)
	p := dynamoProxy(t)
	cfg := dynamotest.Shared(t).AWSConfig()
	cfg.BaseEndpoint = aws.String(p.URL())
	slow := eventstream.New(dynamodb.NewFromConfig(cfg), s.streamTable, eventstream.Options{})
	h := &emit.Handler{Deliverer: fanout.New(s.store, fanout.NewManagementClient(dynamotest.Shared(t).AWSConfig(), s.mgmt.Endpoint()), fanout.Options{}), Stream: slow}
	p.Delay(30 * time.Second)

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.Handle(ctx, json.RawMessage(oneEvent))
	if elapsed := time.Since(start); elapsed > hangGuard {
		t.Fatalf("emit returned after %v, ignoring its deadline", elapsed)
	}
	wantUnavailable(t, err)
	assertNoGoroutines(t, "internal/stack/eventstream.", "internal/stack/fanout.", "service/dynamodb.")
	if n := s.mgmt.Attempts(faultConn); n != 0 {
		t.Errorf("%d posts although nothing was stored", n)
	}
}
