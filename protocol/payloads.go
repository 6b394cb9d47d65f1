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

// MessageStartedPayload is the payload of message_started.
type MessageStartedPayload struct {
	// MessageID names the message in its run; it follows the id rule (ValidateID).
	MessageID string `json:"message_id"`
	// Role is one of MessageRoles.
	Role string `json:"role"`
}

// MessageDeltaPayload is the payload of message_delta: the next piece of the message's text.
type MessageDeltaPayload struct {
	MessageID string `json:"message_id"`
	Delta     string `json:"delta"`
}

// MessageCompletedPayload is the payload of message_completed. Text, when set, is the whole
// message; a client that has every delta can ignore it.
type MessageCompletedPayload struct {
	MessageID string `json:"message_id"`
	Text      string `json:"text,omitempty"`
}

// MessageRoles are the roles a message_started may name; they match AG-UI's text message roles.
var MessageRoles = []string{"assistant", "user", "system", "developer"}

// ErrorPayload is the payload of agent_error.
type ErrorPayload struct {
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}
