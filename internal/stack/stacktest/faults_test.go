package stacktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/emit"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
	"github.com/agentbridge/agentbridge/internal/testsupport/faultproxy"
	"github.com/agentbridge/agentbridge/internal/testsupport/mgmtapitest"
	"github.com/agentbridge/agentbridge/protocol"
)

// hangGuard bounds waits that should end far sooner; it is not a performance assertion.
const hangGuard = 20 * time.Second

const faultConn = "ZmF1bHQtY29ubg=="

const oneEvent = `{"user_id":"alice","type":"agent_started","run_id":"r1"}`

// emitVia returns an Emit handler whose store reaches the stack's table through endpoint, with
// the SDK's default retryer, as the deployed function builds its DynamoDB client.
func emitVia(t *testing.T, s *stack, endpoint string) *emit.Handler {
	t.Helper()
	cfg := dynamotest.Shared(t).AWSConfig()
	cfg.BaseEndpoint = aws.String(endpoint)
	clock := func() time.Time { return s.now }
	store := connstore.New(dynamodb.NewFromConfig(cfg), s.table, connstore.Options{Now: clock})
	poster := fanout.NewManagementClient(cfg, s.mgmt.Endpoint())
	return &emit.Handler{Deliverer: fanout.New(store, poster, fanout.Options{Now: clock}), Now: clock}
}

// dynamoProxy puts a fault proxy between the code and the DynamoDB-compatible server.
func dynamoProxy(t *testing.T) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.New(dynamotest.Shared(t).Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// wantUnavailable asserts err is the retryable ServiceUnavailable function error.
func wantUnavailable(t *testing.T, err error) messages.InvokeResponse_Error {
	t.Helper()
	var fe messages.InvokeResponse_Error
	if !errors.As(err, &fe) || fe.Type != protocol.ErrorTypeUnavailable || !protocol.Retryable(fe.Type) {
		t.Fatalf("err = %v, want a retryable %s function error", err, protocol.ErrorTypeUnavailable)
	}
	return fe
}

// TestEmitHonoursDeadlineWhenDynamoDBIsSlow: DynamoDB answers 30 s late; emit, given 300 ms,
// returns ServiceUnavailable long before that and leaves no goroutine working for it.
func TestEmitHonoursDeadlineWhenDynamoDBIsSlow(t *testing.T) {
	// Not parallel: it inspects every goroutine of the process.
	s := newStack(t)
	s.connectAs(t, "alice", faultConn)
	p := dynamoProxy(t)
	emit := emitVia(t, s, p.URL())
	p.Delay(30 * time.Second)

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := emit.Handle(ctx, json.RawMessage(oneEvent))
	if elapsed := time.Since(start); elapsed > hangGuard {
		t.Fatalf("emit returned after %v, ignoring its deadline", elapsed)
	}
	wantUnavailable(t, err)
	assertNoGoroutines(t, "internal/stack/fanout.", "internal/stack/connstore.", "service/dynamodb.", "apigatewaymanagementapi.")
	if n := s.mgmt.Attempts(faultConn); n != 0 {
		t.Errorf("%d posts after the store failed", n)
	}
}

// TestEmitConnectionResetsThenRecovery: DynamoDB connections reset; emit fails with
// ServiceUnavailable once the SDK's retries are spent, and succeeds once the fault is gone.
func TestEmitConnectionResetsThenRecovery(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", faultConn)
	p := dynamoProxy(t)
	emit := emitVia(t, s, p.URL())
	p.ResetConnections()

	_, err := emit.Handle(t.Context(), json.RawMessage(oneEvent))
	wantUnavailable(t, err)
	p.Clear()
	report, err := emit.Handle(t.Context(), json.RawMessage(oneEvent))
	if err != nil || report.Delivered != 1 {
		t.Fatalf("after recovery: %+v, %v", report, err)
	}
	if n := len(s.mgmt.Posts(faultConn)); n != 1 {
		t.Errorf("connection received %d events, want 1 (none from the failed emit)", n)
	}
}

// TestEmitDynamoDBDownThenBack: the DynamoDB endpoint refuses connections; emit fails with
// ServiceUnavailable, then works when the endpoint is back.
func TestEmitDynamoDBDownThenBack(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", faultConn)
	p := dynamoProxy(t)
	emit := emitVia(t, s, p.URL())
	p.Down()
	_, err := emit.Handle(t.Context(), json.RawMessage(oneEvent))
	wantUnavailable(t, err)
	if err := p.Up(); err != nil {
		t.Skipf("could not rebind the proxy's port: %v", err)
	}
	if report, err := emit.Handle(t.Context(), json.RawMessage(oneEvent)); err != nil || report.Delivered != 1 {
		t.Fatalf("after the endpoint came back: %+v, %v", report, err)
	}
}

// TestEmitDynamoDBThrottling: two ProvisionedThroughputExceededException answers are absorbed
// by the SDK's retryer; throttling past its budget is a retryable ServiceUnavailable.
func TestEmitDynamoDBThrottling(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", faultConn)
	fp := dynamoProxy(t)
	emit := emitVia(t, s, fp.URL())

	fp.FailNext(2, faultproxy.DynamoDBThrottling)
	report, err := emit.Handle(t.Context(), json.RawMessage(oneEvent))
	if err != nil || report.Delivered != 1 {
		t.Fatalf("throttled twice: %+v, %v; want delivered within the retry budget", report, err)
	}
	if req, faulted, _ := fp.Counts(); req != 3 || faulted != 2 {
		t.Errorf("DynamoDB saw %d requests (%d throttled), want 3 (2)", req, faulted)
	}

	fp.FailNext(50, faultproxy.DynamoDBThrottling)
	_, err = emit.Handle(t.Context(), json.RawMessage(oneEvent))
	fe := wantUnavailable(t, err)
	if !strings.Contains(fe.Message, "ProvisionedThroughputExceeded") {
		t.Errorf("message %q does not say why", fe.Message)
	}
	fp.Clear()
	if n := len(s.mgmt.Posts(faultConn)); n != 1 {
		t.Errorf("connection received %d events, want 1", n)
	}
}

// TestEmitDuplicateAfterServerErrorIsDroppable: @connections takes the message, then answers
// 500; the SDK retries, the client sees the event twice, and both copies carry one event_id,
// which is how a client drops the repeat. A 429 is retried and never treated as gone.
func TestEmitDuplicateAfterServerErrorIsDroppable(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", faultConn)
	s.mgmt.FailNext(faultConn, mgmtapitest.InternalErrorAfterDelivery)
	report, err := emitJSON(t, s, oneEvent)
	if err != nil || report.Delivered != 1 || report.Failed != 0 {
		t.Fatalf("report %+v, err %v; want delivered once after the retry", report, err)
	}
	envs := envelopes(t, s.mgmt.Posts(faultConn))
	if len(envs) != 2 || envs[0].EventID != envs[1].EventID || envs[0].EventID == "" {
		t.Fatalf("client saw %+v, want two copies of one event_id", envs)
	}

	s.mgmt.FailNext(faultConn, mgmtapitest.LimitExceeded, mgmtapitest.LimitExceeded)
	report, err = emitJSON(t, s, oneEvent)
	if err != nil || report.Delivered != 1 || report.StaleRemoved != 0 {
		t.Fatalf("after 429s: report %+v, err %v", report, err)
	}
	if rows := s.rows(t); len(rows) != 1 {
		t.Errorf("a throttled connection lost its mapping")
	}
}

// assertNoGoroutines waits for goroutines whose stacks mention any of frames to end, and fails
// with their stacks if some remain.
func assertNoGoroutines(t *testing.T, frames ...string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		var buf bytes.Buffer
		_ = pprof.Lookup("goroutine").WriteTo(&buf, 2)
		var left []string
		for _, g := range strings.Split(buf.String(), "\n\n") {
			for _, f := range frames {
				if strings.Contains(g, f) {
					left = append(left, g)
					break
				}
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines still working after emit returned:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
