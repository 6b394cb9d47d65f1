// Package emit is the function agents invoke: it decodes and validates a request strictly, renders
// one envelope per event and fans them out to every live connection of the user, answering with a
// delivery report. Errors that leave the function are mapped to protocol error types in errors.go.
package emit

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/protocol"
)

// Deliverer fans rendered events out to a user's connections.
type Deliverer interface {
	Deliver(ctx context.Context, userID string, msgs []eventcodec.Message) (protocol.DeliveryReport, error)
}

// Handler accepts agent events and delivers them to every live connection of their user.
//
// The steps are decode, render, deliver. Rendering fixes each event's id and envelope before
// anything is sent, so persisting events for replay slots in between render and deliver.
type Handler struct {
	Deliverer Deliverer
	Now       func() time.Time // default time.Now
	Logger    *slog.Logger     // default: discard
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
	report, err := h.Deliverer.Deliver(ctx, req.UserID, msgs)
	log := h.logger().With("user_id", req.UserID, "events", len(msgs))
	if err != nil {
		log.ErrorContext(ctx, "emit failed", "error", err)
		return report, functionError(err)
	}
	log.InfoContext(ctx, "emitted", "connections", report.Connections, "delivered", report.Delivered,
		"stale_removed", report.StaleRemoved, "failed", report.Failed)
	return report, nil
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
