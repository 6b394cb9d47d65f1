package protocol

// Control messages: what a browser sends over its WebSocket (routed on "action") and what the
// stack answers besides event envelopes (told apart from events by "type").

// Actions a connection may send.
const (
	// ActionPing keeps a connection under API Gateway's idle timeout; the answer is a Pong.
	ActionPing = "ping"
	// ActionResume asks for every stored event of the connection's user after an offset.
	ActionResume = "resume"
	// ActionReplay asks for the stored events of one run of the connection's user.
	ActionReplay = "replay"
)

// Types of the control messages the stack sends.
const (
	TypePong     = "pong"
	TypeResumed  = "resumed"
	TypeReplayed = "replayed"
	TypeError    = "error"
)

// Reasons a resume or replay is not complete.
const (
	// ReasonLimit: more events remain than one answer returns; ask again after Through.
	ReasonLimit = "limit"
	// ReasonExpired: events after the requested offset may have passed the retention period.
	ReasonExpired = "expired"
)

// MaxEventsPerAnswer bounds the events one resume or replay returns.
const MaxEventsPerAnswer = 1000

// ResumeRequest is {"action":"resume","after":N}: N is 0 for everything still held.
type ResumeRequest struct {
	Action string `json:"action"`
	After  int64  `json:"after"`
}

// ReplayRequest is {"action":"replay","run_id":"R"}, optionally continuing after an offset.
type ReplayRequest struct {
	Action string `json:"action"`
	RunID  string `json:"run_id"`
	After  int64  `json:"after,omitempty"`
}

// Resumed ends the events a resume sends. With Complete the client has every stored event up
// to Through; otherwise Reason says why not and the client continues after Through.
type Resumed struct {
	Type     string `json:"type"`
	After    int64  `json:"after"`
	Through  int64  `json:"through"`
	Complete bool   `json:"complete"`
	Reason   string `json:"reason,omitempty"`
}

// Replayed ends the events a replay sends, like Resumed for one run.
type Replayed struct {
	Type     string `json:"type"`
	RunID    string `json:"run_id"`
	Through  int64  `json:"through"`
	Complete bool   `json:"complete"`
	Reason   string `json:"reason,omitempty"`
}

// Pong answers a ping.
type Pong struct {
	Type string `json:"type"`
}

// ControlError answers a malformed control message.
type ControlError struct {
	Type    string `json:"type"`
	Action  string `json:"action,omitempty"`
	Message string `json:"message"`
}
