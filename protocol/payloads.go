package protocol

import "encoding/json"

// Payloads of each event type. Fields tagged without omitempty are required.

// StartedPayload is the payload of agent_started.
type StartedPayload struct {
	Input json.RawMessage `json:"input,omitempty"`
}

// ThinkingPayload is the payload of agent_thinking: one chunk of the agent's visible reasoning
// or output text.
type ThinkingPayload struct {
	Text string `json:"text"`
}

// ToolExecutingPayload is the payload of tool_executing.
type ToolExecutingPayload struct {
	Tool      string          `json:"tool"`
	CallID    string          `json:"call_id,omitempty"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
}

// ToolCompletedPayload is the payload of tool_completed: Result on success, Error on failure.
type ToolCompletedPayload struct {
	Tool   string          `json:"tool"`
	CallID string          `json:"call_id,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  string          `json:"error,omitempty"`
}

// CompletedPayload is the payload of agent_completed.
type CompletedPayload struct {
	Result json.RawMessage `json:"result,omitempty"`
}

// ErrorPayload is the payload of agent_error.
type ErrorPayload struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}
