package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/agentbridge/agentbridge/protocol"
)

// The typed event calls. Values given as any are encoded with encoding/json; pass a
// json.RawMessage to send JSON you already hold, and nil to leave the field out.

// Started emits agent_started with the run's input (the user's question, say).
func (r *Run) Started(ctx context.Context, input any) (*protocol.DeliveryReport, error) {
	raw, err := optionalJSON("input", input)
	if err != nil {
		return nil, err
	}
	return r.emitPayload(ctx, protocol.AgentStarted, protocol.StartedPayload{Input: raw})
}

// Thinking emits agent_thinking with one chunk of visible reasoning or output text, which
// must not be empty.
func (r *Run) Thinking(ctx context.Context, text string) (*protocol.DeliveryReport, error) {
	if text == "" {
		return nil, validationf("payload.text: must be a non-empty string")
	}
	return r.emitPayload(ctx, protocol.AgentThinking, protocol.ThinkingPayload{Text: text})
}

// ToolExecuting emits tool_executing: tool is required; callID pairs it with its
// ToolCompleted and may be empty.
func (r *Run) ToolExecuting(ctx context.Context, tool, callID string, args any) (*protocol.DeliveryReport, error) {
	if tool == "" {
		return nil, validationf("payload.tool: must be a non-empty string")
	}
	raw, err := optionalJSON("arguments", args)
	if err != nil {
		return nil, err
	}
	return r.emitPayload(ctx, protocol.ToolExecuting, protocol.ToolExecutingPayload{Tool: tool, CallID: callID, Arguments: raw})
}

// ToolCompleted emits tool_completed with the tool's result, or with toolErr's message when
// the tool failed.
func (r *Run) ToolCompleted(ctx context.Context, tool, callID string, result any, toolErr error) (*protocol.DeliveryReport, error) {
	if tool == "" {
		return nil, validationf("payload.tool: must be a non-empty string")
	}
	raw, err := optionalJSON("result", result)
	if err != nil {
		return nil, err
	}
	p := protocol.ToolCompletedPayload{Tool: tool, CallID: callID, Result: raw}
	if toolErr != nil {
		p.Error = toolErr.Error()
	}
	return r.emitPayload(ctx, protocol.ToolCompleted, p)
}

// Completed emits agent_completed with the run's result and sends everything queued.
func (r *Run) Completed(ctx context.Context, result any) (*protocol.DeliveryReport, error) {
	raw, err := optionalJSON("result", result)
	if err != nil {
		return nil, err
	}
	return r.finish(ctx, protocol.AgentCompleted, protocol.CompletedPayload{Result: raw})
}

// Failed emits agent_error with err's message, and its code when some error in err's chain
// has a Code() string method; then it sends everything queued.
func (r *Run) Failed(ctx context.Context, err error) (*protocol.DeliveryReport, error) {
	if err == nil || err.Error() == "" {
		return nil, validationf("payload.message: Failed needs an error with a message")
	}
	p := protocol.ErrorPayload{Message: err.Error()}
	var coded interface{ Code() string }
	if errors.As(err, &coded) {
		p.Code = coded.Code()
	}
	return r.finish(ctx, protocol.AgentError, p)
}

// finish emits a run's last event and flushes, so the end of a run is never held back by
// the batch delay.
func (r *Run) finish(ctx context.Context, t protocol.EventType, payload any) (*protocol.DeliveryReport, error) {
	rep, err := r.emitPayload(ctx, t, payload)
	if err != nil || !r.c.cfg.batching() {
		return rep, err
	}
	return nil, r.Flush(ctx)
}

func (r *Run) emitPayload(ctx context.Context, t protocol.EventType, payload any) (*protocol.DeliveryReport, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", t, err)
	}
	return r.Emit(ctx, protocol.Event{Type: t, Payload: raw})
}

// optionalJSON encodes v, or returns nil when v encodes to null so the field is left out.
func optionalJSON(field string, v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", field, err)
	}
	if string(raw) == "null" { // a typed nil, such as a nil pointer or json.RawMessage
		return nil, nil
	}
	return raw, nil
}
