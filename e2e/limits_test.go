package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	mgmttypes "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/protocol"
)

// AWS's limits, written out here rather than taken from the code under test.
const (
	maxPostBytes     = 128 << 10 // PostToConnection Data
	maxInvokeBytes   = 6 << 20   // synchronous Invoke payload
	maxFrameBytes    = 32 << 10  // inbound WebSocket frame
	maxMessageBytes  = 128 << 10 // inbound WebSocket message
	maxEnvelopeBytes = 128 << 10 // what emit may post: one message
)

// TestManagementPostSizeBoundaryThroughHost: POST @connections takes exactly 128 KB and the
// client receives it whole; one byte more is PayloadTooLargeException in the SDK, and the
// client receives nothing of it.
func TestManagementPostSizeBoundaryThroughHost(t *testing.T) {
	c := dial(t, shared, "e2e-post-limit")
	id := connectionID(t, c)
	api := managementClient(shared)
	post := func(data []byte) error {
		_, err := api.PostToConnection(t.Context(), &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: data})
		return err
	}
	if err := post(bytes.Repeat([]byte("a"), maxPostBytes)); err != nil {
		t.Fatalf("%d bytes: %v", maxPostBytes, err)
	}
	if got := readRaw(t, c); len(got) != maxPostBytes {
		t.Fatalf("client received %d bytes, want %d", len(got), maxPostBytes)
	}
	var tooLarge *mgmttypes.PayloadTooLargeException
	if err := post(bytes.Repeat([]byte("b"), maxPostBytes+1)); !errors.As(err, &tooLarge) {
		t.Fatalf("%d bytes: %v, want *types.PayloadTooLargeException", maxPostBytes+1, err)
	}
	if err := post([]byte("after")); err != nil {
		t.Fatal(err)
	}
	if got := readRaw(t, c); string(got) != "after" {
		t.Errorf("client received %d bytes of a refused post", len(got))
	}
}

// TestInvokePayloadBoundaryThroughHost: the Invoke API accepts a payload of exactly 6 MB (the
// function refuses it as too large an event, which is its own business) and answers one
// byte more with RequestTooLargeException; neither reaches the user's tab.
func TestInvokePayloadBoundaryThroughHost(t *testing.T) {
	const user = "e2e-invoke-limit"
	c := dial(t, shared, user)
	lc := noRetryLambda(shared)
	out, err := lc.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: emitOfSize(t, user, maxInvokeBytes)})
	if err != nil {
		t.Fatalf("%d-byte invoke: %v", maxInvokeBytes, err)
	}
	if fe := functionError(out); fe.ErrorType != protocol.ErrorTypePayloadTooLarge {
		t.Errorf("%d-byte emit answered %s, want a PayloadTooLarge function error", maxInvokeBytes, out.Payload)
	}
	_, err = lc.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: emitOfSize(t, user, maxInvokeBytes+1)})
	var tooLarge *lambdatypes.RequestTooLargeException
	if !errors.As(err, &tooLarge) {
		t.Fatalf("%d-byte invoke: %v, want *types.RequestTooLargeException", maxInvokeBytes+1, err)
	}
	emit(t, shared, `{"user_id":"`+user+`","type":"agent_started","run_id":"after"}`)
	if env := c.next(t); env.RunID != "after" {
		t.Errorf("tab received run %q from an oversized invoke", env.RunID)
	}
}

// emitOfSize is a well-formed emit request of exactly size bytes: one agent_thinking event
// whose text fills the rest.
func emitOfSize(t *testing.T, user string, size int) []byte {
	t.Helper()
	head := `{"user_id":"` + user + `","type":"agent_thinking","run_id":"big","payload":{"text":"`
	const tail = `"}}`
	pad := size - len(head) - len(tail)
	body := []byte(head + strings.Repeat("x", pad) + tail)
	if len(body) != size || !json.Valid(body) {
		t.Fatalf("built a %d-byte request, want %d", len(body), size)
	}
	return body
}

// TestEmitEnvelopeBoundaryThroughHost: an event whose envelope is exactly 128 KB is delivered
// whole; one byte more is refused as PayloadTooLarge and nothing is sent. A probe event
// learns the envelope's overhead: every field but the text has a fixed length.
func TestEmitEnvelopeBoundaryThroughHost(t *testing.T) {
	const user = "e2e-envelope-limit"
	c := dial(t, shared, user)
	emitText := func(n int) *lambda.InvokeOutput {
		body := fmt.Sprintf(`{"user_id":%q,"type":"agent_thinking","run_id":"envelope","seq":7,"payload":{"text":%q}}`, user, strings.Repeat("x", n))
		out, err := noRetryLambda(shared).Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(body)})
		if err != nil {
			t.Fatalf("invoke: %v", err)
		}
		return out
	}
	if out := emitText(1); out.FunctionError != nil {
		t.Fatalf("probe failed: %s", out.Payload)
	}
	// Emit keeps room for the widest offset, so the largest accepted envelope is exactly the
	// limit once that room is counted; what a tab receives carries the actual, shorter offset.
	probe := readRaw(t, c)
	var probed protocol.Envelope
	if err := json.Unmarshal(probe, &probed); err != nil {
		t.Fatal(err)
	}
	offsetField := func(o int64) int { return len(fmt.Sprintf(`,"offset":%d`, o)) }
	overhead := len(probe) - 1 - offsetField(probed.Offset)
	fits := maxEnvelopeBytes - eventcodec.OffsetReserve - overhead

	if out := emitText(fits); out.FunctionError != nil {
		t.Fatalf("an envelope of exactly %d bytes with the widest offset was refused: %s", maxEnvelopeBytes, out.Payload)
	}
	got := readRaw(t, c)
	var env protocol.Envelope
	if err := json.Unmarshal(got, &env); err != nil {
		t.Fatal(err)
	}
	if want := maxEnvelopeBytes - eventcodec.OffsetReserve + offsetField(env.Offset); len(got) != want {
		t.Fatalf("client received a %d-byte envelope, want %d", len(got), want)
	}
	out := emitText(fits + 1)
	if fe := functionError(out); fe.ErrorType != protocol.ErrorTypePayloadTooLarge {
		t.Fatalf("an envelope of %d bytes with the widest offset answered %s, want PayloadTooLarge", maxEnvelopeBytes+1, out.Payload)
	}
	emit(t, shared, `{"user_id":"`+user+`","type":"agent_started","run_id":"after"}`)
	if env := c.next(t); env.RunID != "after" {
		t.Errorf("tab received run %q of a refused emit", env.RunID)
	}
}

// TestInboundSizeLimitsThroughHost: a client frame of 32 KB or a message of 128 KB (in 32 KB
// fragments) gets its answer, the error frame for a message no route takes; one byte more
// closes the socket with 1009, and its mapping goes with the $disconnect that follows.
func TestInboundSizeLimitsThroughHost(t *testing.T) {
	cases := []struct {
		name   string
		frames []int
		closes bool
	}{
		{"frame at the limit", []int{maxFrameBytes}, false},
		{"frame over the limit", []int{maxFrameBytes + 1}, true},
		{"message at the limit", []int{maxFrameBytes, maxFrameBytes, maxFrameBytes, maxFrameBytes}, false},
		{"message over the limit", []int{maxFrameBytes, maxFrameBytes, maxFrameBytes, maxFrameBytes, 1}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, shared, "e2e-inbound-limit")
			id := connectionID(t, c)
			err := writeFrames(t.Context(), c, tc.frames)
			if !tc.closes {
				if err != nil {
					t.Fatal(err)
				}
				if frame := readJSON(t, c); frame["message"] != "Forbidden" {
					t.Errorf("answered %v, want the Forbidden error frame", frame)
				}
				return
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			// A write error is fine here: the server may close while the frames still go out.
			_, _, err = c.Read(ctx)
			if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
				t.Fatalf("ended with %v (%v), want 1009", got, err)
			}
			waitFor(t, "the closed connection's mapping to be removed", func() bool {
				for _, m := range mappings(t, shared) {
					if m.ConnectionID == id {
						return false
					}
				}
				return true
			})
		})
	}
}

// writeFrames sends one text message as frames of the given sizes (coder/websocket writes
// each Write on a message writer as one frame, and Close ends the message with an empty one).
func writeFrames(ctx context.Context, c *client, sizes []int) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	w, err := c.Writer(ctx, websocket.MessageText)
	if err != nil {
		return err
	}
	for _, n := range sizes {
		if _, err := w.Write(bytes.Repeat([]byte("a"), n)); err != nil {
			return err
		}
	}
	return w.Close()
}

// readRaw reads one message's bytes.
func readRaw(t testing.TB, c *client) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return data
}

// functionError decodes a failed invoke's error body; the zero value when it did not fail.
func functionError(out *lambda.InvokeOutput) protocol.FunctionError {
	var fe protocol.FunctionError
	if out.FunctionError != nil {
		_ = json.Unmarshal(out.Payload, &fe)
	}
	return fe
}
