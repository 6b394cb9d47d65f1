package protocol

import "encoding/json"

// EventType names what happened in an agent run.
type EventType string

// The event types an agent emits, in the order a run usually produces them.
const (
	AgentStarted   EventType = "agent_started"
	AgentThinking  EventType = "agent_thinking"
	ToolExecuting  EventType = "tool_executing"
	ToolCompleted  EventType = "tool_completed"
	AgentCompleted EventType = "agent_completed"
	AgentError     EventType = "agent_error"
)

// EventTypes lists every known event type.
var EventTypes = []EventType{AgentStarted, AgentThinking, ToolExecuting, ToolCompleted, AgentCompleted, AgentError}

// Known reports whether t is one of EventTypes.
func (t EventType) Known() bool {
	for _, k := range EventTypes {
		if t == k {
			return true
		}
	}
	return false
}

// Event is one event as an agent emits it.
type Event struct {
	Type      EventType `json:"type"`
	RunID     string    `json:"run_id"`
	ThreadID  string    `json:"thread_id,omitempty"`
	AgentName string    `json:"agent_name,omitempty"`
	// Seq orders the events of one run; nil when the agent does not number its events.
	Seq *int64 `json:"seq,omitempty"`
	// Payload is a JSON object whose required fields depend on Type (see docs/events.md).
	Payload json.RawMessage `json:"payload,omitempty"`
}

// EmitRequest is what the emit function accepts in its batch form. The single-event form puts
// "user_id" beside one Event's fields instead.
type EmitRequest struct {
	UserID string  `json:"user_id"`
	Events []Event `json:"events"`
}

// Envelope is the JSON document each WebSocket client receives, one message per event.
type Envelope struct {
	Type EventType `json:"type"`
	// EventID is unique per emitted event; a client that sees an id twice drops the repeat.
	EventID   string `json:"event_id"`
	RunID     string `json:"run_id"`
	ThreadID  string `json:"thread_id,omitempty"`
	AgentName string `json:"agent_name,omitempty"`
	Seq       *int64 `json:"seq,omitempty"`
	// Timestamp is when emit accepted the event, RFC 3339 in UTC with milliseconds.
	Timestamp string          `json:"timestamp"`
	Payload   json.RawMessage `json:"payload"`
}

// TimestampFormat is the layout of Envelope.Timestamp.
const TimestampFormat = "2006-01-02T15:04:05.000Z07:00"

// DeliveryReport is what a synchronous emit returns.
type DeliveryReport struct {
	// Events is how many events the request carried.
	Events int `json:"events"`
	// Connections is how many live connections the user had.
	Connections int `json:"connections"`
	// Delivered counts messages accepted by the gateway (events x connections at best).
	Delivered int `json:"delivered"`
	// StaleRemoved counts connections found gone (410) and removed.
	StaleRemoved int `json:"stale_removed"`
	// Failed counts messages that could not be delivered for any other reason.
	Failed int `json:"failed"`
}
