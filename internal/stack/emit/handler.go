// Package emit is the function agents invoke: it decodes and validates a request strictly, renders
// one envelope per event, stores each in the user's stream (which gives it its offset, and turns a
// retried event id into the stored envelope instead of a copy) and only then fans them out to
// every live connection of the user, answering with a delivery report. Storing first is what
// makes resume gap-free: a connection that emit's read missed was stored after it, and asks the
// stream for the event when it resumes. Errors that leave the function are mapped to protocol
// error types in errors.go.
package emit

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/protocol"
)

// Deliverer fans rendered events out to a user's connections.
type Deliverer interface {
	Deliver(ctx context.Context, userID string, msgs []eventcodec.Message) (protocol.DeliveryReport, error)
}

// Stream stores a request's envelopes in the user's stream, giving each new one an offset and
// returning the stored copy of an event id already held.
type Stream interface {
	Append(ctx context.Context, userID string, envs []protocol.Envelope) (eventstream.Appended, error)
}

// Handler accepts agent events and delivers them to every live connection of their user.
//
// The steps are decode, render, store, deliver; nothing is delivered unless every event is stored.
type Handler struct {
	Deliverer Deliverer
	// Stream is required on a deployed stack; nil delivers without storing (envelopes then carry
	// no offset), which only tests of the fan-out alone use.
	Stream Stream
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default: discard
}

// Handle decodes the request, refuses it whole if any event is invalid or too large, and
// otherwise returns the delivery report. Errors carry a protocol error type.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (protocol.DeliveryReport, error) {
	req, err := eventcodec.Decode(payload)
	if err != nil {
		return protocol.DeliveryReport{}, functionError(err)
	}
	msgs, err := eventcodec.Render(req, h.now())
	if err != nil {
		return protocol.DeliveryReport{}, functionError(err)
	}
	log := h.logger().With("user_id", req.UserID, "events", len(msgs))
	msgs, stored, err := h.store(ctx, req.UserID, msgs)
	if err != nil {
		log.ErrorContext(ctx, "store failed, nothing delivered", "stored", stored.Stored, "error", err)
		return protocol.DeliveryReport{Events: len(msgs), Stored: stored.Stored}, functionError(err)
	}
	report, err := h.Deliverer.Deliver(ctx, req.UserID, msgs)
	report.Stored, report.Duplicates = stored.Stored, stored.Duplicates
	if err != nil {
		log.ErrorContext(ctx, "emit failed", "error", err)
		return report, functionError(err)
	}
	log.InfoContext(ctx, "emitted", "stored", report.Stored, "duplicates", report.Duplicates,
		"connections", report.Connections, "delivered", report.Delivered,
		"stale_removed", report.StaleRemoved, "failed", report.Failed)
	return report, nil
}

// store appends msgs to the stream and returns the messages to deliver: each new event with
// its offset, each duplicate as stored earlier.
func (h *Handler) store(ctx context.Context, userID string, msgs []eventcodec.Message) ([]eventcodec.Message, eventstream.Appended, error) {
	if h.Stream == nil {
		return msgs, eventstream.Appended{}, nil
	}
	envs := make([]protocol.Envelope, len(msgs))
	for i, m := range msgs {
		envs[i] = m.Envelope
	}
	res, err := h.Stream.Append(ctx, userID, envs)
	if err != nil {
		return msgs, res, err
	}
	out := make([]eventcodec.Message, len(res.Records))
	for i, r := range res.Records {
		out[i] = eventcodec.Message{EventID: r.EventID, Data: r.Data}
	}
	return out, res, nil
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}
