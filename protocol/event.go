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
	// MessageStarted, MessageDelta and MessageCompleted stream one message (an answer written
	// as it is generated): a start, non-empty text deltas in order, and an end.
	MessageStarted   EventType = "message_started"
	MessageDelta     EventType = "message_delta"
	MessageCompleted EventType = "message_completed"
)

// EventTypes lists every known event type.
var EventTypes = []EventType{
	AgentStarted, AgentThinking, ToolExecuting, ToolCompleted, AgentCompleted, AgentError,
	MessageStarted, MessageDelta, MessageCompleted,
}

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
	Type EventType `json:"type"`
	// EventID is the agent's idempotency key for this event: the stream keeps at most one event
	// per user and id, so a retried request delivers the stored event again rather than a copy.
	// Empty means emit assigns one, and a retry then stores a second copy.
	EventID   string `json:"event_id,omitempty"`
	RunID     string `json:"run_id"`
	ThreadID  string `json:"thread_id,omitempty"`
	AgentName string `json:"agent_name,omitempty"`
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
	// EventID is the agent's id for the event, or one emit assigned; unique per user.
	EventID string `json:"event_id"`
	// Offset is the event's position in its user's stream: strictly increasing across all of
	// that user's events and never reused, though offsets may be skipped. A client drops an
	// envelope whose offset it has handled and resumes after the highest offset below which it
	// has handled everything. Zero (absent) only from a stack without a stream.
	Offset    int64  `json:"offset,omitempty"`
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
	// Stored counts events newly written to the user's stream.
	Stored int `json:"stored"`
	// Duplicates counts events whose event_id the stream already held; their stored envelopes
	// were delivered again instead.
	Duplicates int `json:"duplicates"`
	// Connections is how many live connections the user had.
	Connections int `json:"connections"`
	// Delivered counts messages accepted by the gateway (events x connections at best).
	Delivered int `json:"delivered"`
	// StaleRemoved counts connections found gone (410) and removed.
	StaleRemoved int `json:"stale_removed"`
	// Gone counts messages not delivered because their connection had gone (410).
	Gone int `json:"gone"`
	// Throttled counts messages not delivered because their connection kept answering 429
	// (a tab that stopped reading) until its budget for the request was spent.
	Throttled int `json:"throttled"`
	// Failed counts messages that could not be delivered for any other reason.
	Failed int `json:"failed"`
	// NotAttempted counts messages not tried before the invocation's deadline.
	NotAttempted int `json:"not_attempted"`
}
