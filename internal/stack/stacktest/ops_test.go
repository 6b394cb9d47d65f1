package stacktest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/stack/metrics"
	"github.com/agentbridge/agentbridge/internal/testsupport/mgmtapitest"
	"github.com/agentbridge/agentbridge/protocol"
)

// wantDeliveryFailed asserts err is the retryable DeliveryFailed function error.
func wantDeliveryFailed(t *testing.T, err error) messages.InvokeResponse_Error {
	t.Helper()
	var fe messages.InvokeResponse_Error
	if !errors.As(err, &fe) || fe.Type != protocol.ErrorTypeDeliveryFailed || !protocol.Retryable(fe.Type) {
		t.Fatalf("err = %v, want a retryable %s function error", err, protocol.ErrorTypeDeliveryFailed)
	}
	return fe
}

// metricLines gives the stack's handlers a metrics writer and returns its output.
func metricLines(s *stack) *bytes.Buffer {
	var buf bytes.Buffer
	w := metrics.New(&buf, metrics.Options{Namespace: "agentbridge/stacktest"})
	s.emit.Metrics = w
	s.connect.Metrics = w
	return &buf
}

// emfValues parses EMF lines into, per line, the root members (metric values and dimensions).
func emfValues(t *testing.T, out *bytes.Buffer) []map[string]any {
	t.Helper()
	var docs []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		if _, ok := doc["_aws"]; !ok {
			t.Fatalf("metric line without _aws: %s", line)
		}
		docs = append(docs, doc)
	}
	return docs
}

// TestEmitEveryPostRefusedIsDeliveryFailed is the wrong-endpoint / missing-permission case:
// every post answers 403. Emit must not report success; it answers DeliveryFailed, and the
// metric line says the failures were "failed" posts.
func TestEmitEveryPostRefusedIsDeliveryFailed(t *testing.T) {
	s := newStack(t)
	out := metricLines(s)
	ids := []string{"ZGVuaWVkLWNvbm4x", "ZGVuaWVkLWNvbm4y"}
	for _, id := range ids {
		s.connectAs(t, "alice", id)
		s.mgmt.FailAlways(id, mgmtapitest.Forbidden)
	}
	out.Reset()

	_, err := emitJSON(t, s, twoEvents)
	fe := wantDeliveryFailed(t, err)
	if !strings.Contains(fe.Message, "failed 4") || !strings.Contains(fe.Message, "2 live connection") {
		t.Errorf("message %q does not say what failed", fe.Message)
	}
	docs := emfValues(t, out)
	if len(docs) != 1 {
		t.Fatalf("%d metric lines, want 1", len(docs))
	}
	d := docs[0]
	for k, want := range map[string]any{"Failed": 4.0, "Delivered": 0.0, "Connections": 2.0, "DeliveryFailed": 1.0,
		"EmitErrors": 1.0, "Reason": metrics.ReasonFailed, "ErrorType": protocol.ErrorTypeDeliveryFailed} {
		if d[k] != want {
			t.Errorf("%s = %v, want %v", k, d[k], want)
		}
	}
	if strings.Contains(out.String(), "alice") {
		t.Error("a metric line carries the user id")
	}
}

// TestEmitPartialDeliveryIsAReport: one connection refuses, the other receives; that is a
// success whose report counts the failures.
func TestEmitPartialDeliveryIsAReport(t *testing.T) {
	s := newStack(t)
	out := metricLines(s)
	s.connectAs(t, "alice", "b2stY29ubmVjdGlvbg==")
	s.connectAs(t, "alice", "YmFkLWNvbm5lY3Rpb24=")
	s.mgmt.FailAlways("YmFkLWNvbm5lY3Rpb24=", mgmtapitest.Forbidden)
	out.Reset()

	report, err := emitJSON(t, s, twoEvents)
	if err != nil {
		t.Fatalf("partial delivery answered %v", err)
	}
	if report.Delivered != 2 || report.Failed != 2 {
		t.Errorf("report = %+v, want 2 delivered and 2 failed", report)
	}
	d := emfValues(t, out)[0]
	if d["Delivered"] != 2.0 || d["Failed"] != 2.0 || d["DeliveryFailed"] != nil || d["EmitErrors"] != nil {
		t.Errorf("metric line = %v", d)
	}
}

// TestEmitEveryConnectionGoneIsNotAnError: gone connections are pruned and nobody is left to
// deliver to, which is not a failure of the request.
func TestEmitEveryConnectionGoneIsNotAnError(t *testing.T) {
	s := newStack(t)
	metricLines(s)
	s.connectAs(t, "alice", "Z29uZS1jb25uMQ==")
	s.mgmt.FailAlways("Z29uZS1jb25uMQ==", mgmtapitest.Gone)
	report, err := emitJSON(t, s, twoEvents)
	if err != nil {
		t.Fatalf("all-gone answered %v", err)
	}
	if report.StaleRemoved != 1 || report.Delivered != 0 {
		t.Errorf("report = %+v, want the gone connection removed", report)
	}
}

// TestEmitRefusedRequestCountsItsErrorType: a malformed request writes only EmitErrors with its
// ErrorType, no delivery counts.
func TestEmitRefusedRequestCountsItsErrorType(t *testing.T) {
	s := newStack(t)
	out := metricLines(s)
	if _, err := emitJSON(t, s, `{"user_id":"alice","type":"no_such_type","run_id":"r1"}`); err == nil {
		t.Fatal("invalid request accepted")
	}
	docs := emfValues(t, out)
	if len(docs) != 1 || docs[0]["EmitErrors"] != 1.0 || docs[0]["ErrorType"] != protocol.ErrorTypeValidation || docs[0]["Delivered"] != nil {
		t.Errorf("metric lines = %v", docs)
	}
}

// TestConnectMetricsByReason: each $connect writes one line, accepted or refused with a reason
// from the fixed set.
func TestConnectMetricsByReason(t *testing.T) {
	s := newStack(t)
	out := metricLines(s)
	sign := func(claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(testSecret)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	tests := []struct {
		fixture, token, reason string
	}{
		{"connect-query.json", s.token(t, "alice"), ""},
		{"connect-no-token.json", "", "no_token"},
		{"connect-query.json", sign(jwt.MapClaims{"sub": "alice", "exp": s.now.Add(-time.Hour).Unix()}), "expired"},
		{"connect-query.json", "not-a-jwt", "invalid"},
		{"connect-query.json", strings.Repeat("a", 9000), "too_long"},
	}
	for _, tt := range tests {
		if _, err := s.connect.Handle(t.Context(), s.connectEvent(t, tt.fixture, tt.token, "bWV0cmljcy1jb25u")); err != nil {
			t.Fatal(err)
		}
	}
	docs := emfValues(t, out)
	if len(docs) != len(tests) {
		t.Fatalf("%d metric lines for %d connects", len(docs), len(tests))
	}
	for i, tt := range tests {
		d := docs[i]
		if tt.reason == "" {
			if d["ConnectAccepted"] != 1.0 {
				t.Errorf("connect %d: %v, want accepted", i, d)
			}
			continue
		}
		if d["ConnectRefused"] != 1.0 || d["Reason"] != tt.reason {
			t.Errorf("connect %d: %v, want refused for %q", i, d, tt.reason)
		}
	}
	if strings.Contains(out.String(), "alice") || strings.Contains(out.String(), "bWV0cmljcy1jb25u") {
		t.Error("a metric line carries a user or connection id")
	}
}
