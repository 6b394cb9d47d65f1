package stacktest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/agentbridge/agentbridge/internal/testsupport/mgmtapitest"
	"github.com/agentbridge/agentbridge/protocol"
)

func emitJSON(t *testing.T, s *stack, body string) (protocol.DeliveryReport, error) {
	t.Helper()
	return s.emit.Handle(t.Context(), json.RawMessage(body))
}

func envelopes(t *testing.T, posts [][]byte) []protocol.Envelope {
	t.Helper()
	out := make([]protocol.Envelope, len(posts))
	for i, p := range posts {
		if err := json.Unmarshal(p, &out[i]); err != nil {
			t.Fatalf("post %d is not an envelope: %v", i, err)
		}
	}
	return out
}

const twoEvents = `{"user_id":"alice","events":[
	{"type":"agent_started","run_id":"run-1","agent_name":"Researcher","seq":0,"payload":{"input":"hi"}},
	{"type":"tool_executing","run_id":"run-1","seq":1,"payload":{"tool":"web_search","call_id":"c1","arguments":{"q":"go"}}}]}`

func TestEmitReachesEveryConnectionOfThatUserOnly(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	alice := []string{"YWxpY2UtY29ubjE=", "YWxpY2UtY29ubjI=", "YWxpY2UtY29ubjM="}
	for _, id := range alice {
		s.connectAs(t, "alice", id)
	}
	s.connectAs(t, "bob", "Ym9iLWNvbm4xMjM=")

	report, err := emitJSON(t, s, twoEvents)
	if err != nil {
		t.Fatal(err)
	}
	want := protocol.DeliveryReport{Events: 2, Stored: 2, Connections: 3, Delivered: 6}
	if report != want {
		t.Errorf("report = %+v, want %+v", report, want)
	}
	var firstIDs []string
	for _, id := range alice {
		envs := envelopes(t, s.mgmt.Posts(id))
		if len(envs) != 2 || envs[0].Type != protocol.AgentStarted || envs[1].Type != protocol.ToolExecuting {
			t.Fatalf("%s received %+v, want started then tool_executing once each", id, envs)
		}
		if envs[0].EventID == envs[1].EventID {
			t.Errorf("two events share id %s", envs[0].EventID)
		}
		if firstIDs == nil {
			firstIDs = []string{envs[0].EventID, envs[1].EventID}
		} else if envs[0].EventID != firstIDs[0] || envs[1].EventID != firstIDs[1] {
			t.Errorf("one event carries different ids on different connections")
		}
		if envs[0].AgentName != "Researcher" || envs[0].RunID != "run-1" || *envs[1].Seq != 1 {
			t.Errorf("envelope fields lost: %+v", envs[0])
		}
		if _, err := time.Parse(protocol.TimestampFormat, envs[0].Timestamp); err != nil {
			t.Errorf("timestamp %q: %v", envs[0].Timestamp, err)
		}
	}
	if n := s.mgmt.Attempts("Ym9iLWNvbm4xMjM="); n != 0 {
		t.Errorf("bob's connection got %d posts, want 0", n)
	}
}

func TestEmitGonePrunesOnlyThatConnection(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ids := []string{"Y29ubmVjdGlvbjE=", "Y29ubmVjdGlvbjI=", "Y29ubmVjdGlvbjM="}
	for _, id := range ids {
		s.connectAs(t, "alice", id)
	}
	s.mgmt.FailAlways(ids[1], mgmtapitest.Gone)

	report, err := emitJSON(t, s, twoEvents)
	if err != nil {
		t.Fatal(err)
	}
	want := protocol.DeliveryReport{Events: 2, Stored: 2, Connections: 3, Delivered: 4, StaleRemoved: 1, Gone: 2}
	if report != want {
		t.Errorf("report = %+v, want %+v", report, want)
	}
	for _, id := range []string{ids[0], ids[2]} {
		if n := len(s.mgmt.Posts(id)); n != 2 {
			t.Errorf("%s received %d events, want 2", id, n)
		}
	}
	rows := s.rows(t)
	if len(rows) != 2 {
		t.Fatalf("%d mappings left, want 2", len(rows))
	}
	for _, r := range rows {
		if r.ConnectionID == ids[1] {
			t.Errorf("gone connection still mapped")
		}
	}
	if n := s.mgmt.Attempts(ids[1]); n != 1 {
		t.Errorf("gone connection was posted %d times, want 1 (no retry, no second event)", n)
	}
}

func TestEmitKeepsYoungConnectionAnsweringGone(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ev := s.connectEvent(t, "connect-query.json", s.token(t, "alice"), "eW91bmctY29ubg==")
	ev.RequestContext.ConnectedAt = s.now.Add(-500 * time.Millisecond).UnixMilli() // still inside $connect
	if resp, err := s.connect.Handle(t.Context(), ev); err != nil || resp.StatusCode != 200 {
		t.Fatalf("connect: %d %v", resp.StatusCode, err)
	}
	s.mgmt.FailNext("eW91bmctY29ubg==", mgmtapitest.Gone)

	// The only connection answered gone while it may still be inside its $connect: it is kept,
	// and the event, already stored, reaches it when it resumes; that is no delivery failure.
	report, err := emitJSON(t, s, `{"user_id":"alice","type":"agent_started","run_id":"r1"}`)
	if err != nil {
		t.Fatalf("emit: %v", err)
	}
	if report.StaleRemoved != 0 || report.Delivered != 0 || report.Gone != 1 {
		t.Errorf("report = %+v, want the young connection kept, its message counted gone", report)
	}
	if rows := s.rows(t); len(rows) != 1 {
		t.Errorf("young connection's mapping was removed")
	}
}

func TestEmitRetriesThrottlingAndServerErrors(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", "cmV0cnktY29ubg==")
	s.mgmt.FailNext("cmV0cnktY29ubg==", mgmtapitest.LimitExceeded, mgmtapitest.InternalError)

	report, err := emitJSON(t, s, `{"user_id":"alice","type":"agent_thinking","run_id":"r1","payload":{"text":"hmm"}}`)
	if err != nil {
		t.Fatal(err)
	}
	if report.Delivered != 1 || report.Failed != 0 || report.StaleRemoved != 0 {
		t.Errorf("report = %+v, want delivered after retries", report)
	}
	if n := s.mgmt.Attempts("cmV0cnktY29ubg=="); n != 3 {
		t.Errorf("attempts = %d, want 3 (429, 500, success)", n)
	}
	if rows := s.rows(t); len(rows) != 1 {
		t.Errorf("a throttled connection was treated as gone")
	}
}

func TestEmitCountsPersistentFailures(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", "Zm9yYmlkZGVuMTI=")
	s.mgmt.FailAlways("Zm9yYmlkZGVuMTI=", mgmtapitest.Forbidden)
	report, err := emitJSON(t, s, twoEvents)
	wantDeliveryFailed(t, err)
	if report.Failed != 2 || report.Delivered != 0 || len(s.rows(t)) != 1 {
		t.Errorf("report = %+v, want 2 failed and the mapping kept", report)
	}
}

func TestEmitRefusesBadRequestsAndSendsNothing(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", protocol.MaxEnvelopeBytes)
	tests := []struct {
		name, body, wantType, wantField string
	}{
		{"oversize event", `{"user_id":"alice","type":"agent_thinking","run_id":"r1","payload":{"text":"` + big + `"}}`, protocol.ErrorTypePayloadTooLarge, "events[0]"},
		{"unknown type", `{"user_id":"alice","type":"agent_dancing","run_id":"r1"}`, protocol.ErrorTypeValidation, "type"},
		{"case-variant key", `{"user_id":"alice","User_ID":"bob","type":"agent_started","run_id":"r1"}`, protocol.ErrorTypeValidation, "User_ID"},
		{"duplicate key", `{"user_id":"bob","user_id":"alice","type":"agent_started","run_id":"r1"}`, protocol.ErrorTypeValidation, "user_id"},
		{"padded user", `{"user_id":" alice","type":"agent_started","run_id":"r1"}`, protocol.ErrorTypeValidation, "user_id"},
		{"control char", `{"user_id":"alice\u0000","type":"agent_started","run_id":"r1"}`, protocol.ErrorTypeValidation, "user_id"},
		{"missing tool", `{"user_id":"alice","events":[{"type":"agent_started","run_id":"r1"},{"type":"tool_executing","run_id":"r1","payload":{}}]}`, protocol.ErrorTypeValidation, "events[1].payload.tool"},
		{"seq not a number", `{"user_id":"alice","type":"agent_started","run_id":"r1","seq":"1"}`, protocol.ErrorTypeValidation, "seq"},
		{"not json", `hello`, protocol.ErrorTypeValidation, ""},
	}
	s := newStack(t)
	s.connectAs(t, "alice", "dmljdGltLWNvbm4=")
	s.connectAs(t, "bob", "Ym9iLWNvbm4xMjM=")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := emitJSON(t, s, tt.body)
			var fe messages.InvokeResponse_Error
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a function error", err)
			}
			if fe.Type != tt.wantType {
				t.Errorf("errorType = %q, want %q (%s)", fe.Type, tt.wantType, fe.Message)
			}
			if !strings.HasPrefix(fe.Message, tt.wantField) {
				t.Errorf("message %q does not name field %q", fe.Message, tt.wantField)
			}
		})
	}
	for _, id := range []string{"dmljdGltLWNvbm4=", "Ym9iLWNvbm4xMjM="} {
		if n := s.mgmt.Attempts(id); n != 0 {
			t.Errorf("refused requests posted %d messages to %s", n, id)
		}
	}
}

func TestEmitWithoutConnectionsIsNotAnError(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	report, err := emitJSON(t, s, `{"user_id":"nobody","type":"agent_started","run_id":"r1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if report != (protocol.DeliveryReport{Events: 1, Stored: 1}) {
		t.Errorf("report = %+v", report)
	}
}

func TestEmitIgnoresExpiredMappings(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", "ZXhwaXJlZC1jb25u")
	s.now = s.now.Add(3 * time.Hour) // past the mapping's expiry; TTL deletion may lag for days
	report, err := emitJSON(t, s, `{"user_id":"alice","type":"agent_started","run_id":"r1"}`)
	if err != nil {
		t.Fatal(err)
	}
	if report.Connections != 0 || s.mgmt.Attempts("ZXhwaXJlZC1jb25u") != 0 {
		t.Errorf("expired mapping was used: %+v", report)
	}
}

func TestConnectThenImmediateEmitDelivers(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	for i := range 20 {
		id := fmt.Sprintf("aW1tZWRpYXRl%04d", i)
		s.connectAs(t, "alice", id)
		report, err := emitJSON(t, s, `{"user_id":"alice","type":"agent_started","run_id":"r1"}`)
		if err != nil {
			t.Fatal(err)
		}
		if report.Connections != i+1 || len(s.mgmt.Posts(id)) != 1 {
			t.Fatalf("connection %d: report %+v, posts %d; a fresh connection was missed", i, report, len(s.mgmt.Posts(id)))
		}
	}
}
