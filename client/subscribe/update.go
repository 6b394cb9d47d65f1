package subscribe

import (
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// Kind says what an Update reports.
type Kind int

const (
	// Connected: a connection is open and the resume (or replay) after Position was sent.
	Connected Kind = iota + 1
	// Event: Envelope, with Raw its JSON as received.
	Event
	// Resumed: the stack finished a resume (Resumed); Position is the new position.
	Resumed
	// Replayed: the stack finished one replay answer (Replayed).
	Replayed
	// HistoryGone: events after From may have expired (retention); the stream goes on from
	// Through.
	HistoryGone
	// Gap: offsets From..Through never arrived and are passed over (the stack did not fill them).
	Gap
	// Pong answers a ping.
	Pong
	// ServerError: the stack refused a control message (ControlError) or API Gateway sent an
	// error frame (Message set, ControlError nil), e.g. "Forbidden" for an unknown action.
	ServerError
	// Disconnected: the connection ended (Err) or a dial failed; the next dial follows after
	// Retry.
	Disconnected
)

// Update is one thing Run reports to its Handler.
type Update struct {
	Kind     Kind
	Envelope protocol.Envelope
	Raw      []byte
	// Position is the position after this update (stream mode), or the highest offset of the
	// run handled (run mode).
	Position     int64
	Resumed      *protocol.Resumed
	Replayed     *protocol.Replayed
	ControlError *protocol.ControlError
	// Message is an error frame's message.
	Message string
	// From and Through bound a HistoryGone or Gap.
	From, Through int64
	Err           error
	Retry         time.Duration
}

// Handler receives Run's updates, one at a time.
type Handler func(Update)
