package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/agentbridge/agentbridge/protocol"
)

// maxAsyncRequestBytes is Lambda's payload limit for asynchronous invokes.
const maxAsyncRequestBytes = 1 << 20

// maxRequestBytes is the largest request body this client's invocation type allows.
func (c *Client) maxRequestBytes() int {
	if c.cfg.Async {
		return maxAsyncRequestBytes
	}
	return protocol.MaxRequestBytes
}

// request is the batch form of an emit request with its events already encoded.
type request struct {
	UserID string            `json:"user_id"`
	Events []json.RawMessage `json:"events"`
}

// invoke sends events as one request or, when emit refuses the fan-out as too large (nothing
// was sent then), as two halves in order, each split again as needed. A failure of the second
// half is returned with the first half delivered.
func (c *Client) invoke(ctx context.Context, userID string, events []json.RawMessage) (*protocol.DeliveryReport, error) {
	rep, err := c.invokeWhole(ctx, userID, events)
	var e *Error
	if len(events) < 2 || !errors.As(err, &e) || e.Type != protocol.ErrorTypeFanoutTooLarge {
		return rep, err
	}
	half := len(events) / 2
	first, err := c.invoke(ctx, userID, events[:half])
	if err != nil {
		return nil, err
	}
	second, err := c.invoke(ctx, userID, events[half:])
	if err != nil {
		return nil, fmt.Errorf("first %d of %d events sent, the rest failed: %w", half, len(events), err)
	}
	return sum(first, second), nil
}

// sum adds two reports of one user's split request.
func sum(a, b *protocol.DeliveryReport) *protocol.DeliveryReport {
	return &protocol.DeliveryReport{
		Events: a.Events + b.Events, Stored: a.Stored + b.Stored, Duplicates: a.Duplicates + b.Duplicates,
		Connections: max(a.Connections, b.Connections), Delivered: a.Delivered + b.Delivered,
		StaleRemoved: a.StaleRemoved + b.StaleRemoved, Gone: a.Gone + b.Gone, Throttled: a.Throttled + b.Throttled,
		Failed: a.Failed + b.Failed, NotAttempted: a.NotAttempted + b.NotAttempted,
	}
}

// invokeWhole sends one request, retrying transient failures, and counts the outcome.
func (c *Client) invokeWhole(ctx context.Context, userID string, events []json.RawMessage) (*protocol.DeliveryReport, error) {
	body, err := json.Marshal(request{UserID: userID, Events: events})
	if err != nil {
		return nil, fmt.Errorf("encode emit request: %w", err)
	}
	if len(body) > c.maxRequestBytes() {
		return nil, &Error{Type: protocol.ErrorTypePayloadTooLarge,
			Message: fmt.Sprintf("request of %d bytes exceeds the %d-byte invoke limit", len(body), c.maxRequestBytes())}
	}
	rep, err := c.withRetries(ctx, func() (*protocol.DeliveryReport, error) {
		return c.invokeOnce(ctx, body)
	})
	if err != nil {
		return nil, err
	}
	c.stats.add(len(events), rep)
	return rep, nil
}

// noSDKRetries turns the SDK's retryer off for this call: the client retries function errors
// the SDK cannot see, and one retry policy keeps the attempt budget honest.
func noSDKRetries(o *lambda.Options) { o.RetryMaxAttempts = 1 }

// invokeOnce makes one Invoke API call and decodes its outcome.
func (c *Client) invokeOnce(ctx context.Context, body []byte) (*protocol.DeliveryReport, error) {
	in := &lambda.InvokeInput{
		FunctionName:   aws.String(c.function),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        body,
	}
	if c.cfg.Async {
		in.InvocationType = types.InvocationTypeEvent
	}
	c.stats.invokes.Add(1)
	out, err := c.invoker.Invoke(ctx, in, noSDKRetries)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("invoke %s: %w", c.function, ctx.Err())
		}
		return nil, sdkError(err)
	}
	if out.FunctionError != nil {
		return nil, functionError(out.StatusCode, out.Payload)
	}
	if c.cfg.Async {
		return nil, nil
	}
	var rep protocol.DeliveryReport
	if err := json.Unmarshal(out.Payload, &rep); err != nil {
		return nil, fmt.Errorf("decode delivery report: %w", err)
	}
	return &rep, nil
}
