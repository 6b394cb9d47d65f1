package eventcodec

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// Message is one rendered event, ready to post to every connection of the user.
type Message struct {
	EventID string
	Data    []byte
	// Envelope is what Data encodes, for a stream that stores it with an offset.
	Envelope protocol.Envelope
}

// OffsetReserve is room kept under protocol.MaxEnvelopeBytes for the widest "offset" member a
// stream adds to an envelope after Render, so an event that renders also fits once stored.
const OffsetReserve = len(`,"offset":9223372036854775807`)

// lowerBase32 renders 16 random bytes as 26 characters safe in URLs and logs.
var lowerBase32 = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewEventID returns a fresh random event id ("evt_" and 26 characters, 128 random bits).
func NewEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return "evt_" + lowerBase32.EncodeToString(b[:])
}

// Render builds the envelopes of req's events, stamped with now. It fails with an Error of code
// PayloadTooLarge if any envelope, with OffsetReserve added, exceeds protocol.MaxEnvelopeBytes,
// before anything is sent.
func Render(req *Request, now time.Time) ([]Message, error) {
	stamp := now.UTC().Format(protocol.TimestampFormat)
	out := make([]Message, len(req.Events))
	for i, e := range req.Events {
		id := e.EventID
		if id == "" {
			id = NewEventID()
		}
		env := protocol.Envelope{
			Type: e.Type, EventID: id, RunID: e.RunID, ThreadID: e.ThreadID,
			AgentName: e.AgentName, Seq: e.Seq, Timestamp: stamp, Payload: e.Payload,
		}
		data, err := json.Marshal(env)
		if err != nil {
			return nil, fmt.Errorf("render event %d: %w", i, err)
		}
		if size := len(data) + OffsetReserve; size > protocol.MaxEnvelopeBytes {
			return nil, &Error{
				Code:    protocol.ErrorTypePayloadTooLarge,
				Field:   fmt.Sprintf("events[%d]", i),
				Message: fmt.Sprintf("envelope is %d bytes with its offset, over the %d-byte message limit", size, protocol.MaxEnvelopeBytes),
			}
		}
		out[i] = Message{EventID: env.EventID, Data: data, Envelope: env}
	}
	return out, nil
}
