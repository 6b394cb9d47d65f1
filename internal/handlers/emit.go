package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/agentbridge/agentbridge/internal/events"
	"github.com/agentbridge/agentbridge/protocol"
)

// Deliverer fans rendered events out to a user's connections.
type Deliverer interface {
	Deliver(ctx context.Context, userID string, msgs []events.Message) (protocol.DeliveryReport, error)
}

// Emit accepts agent events and delivers them to every live connection of their user.
//
// The steps are decode, render, deliver. Rendering fixes each event's id and envelope before
// anything is sent, so persisting events for replay slots in between render and deliver.
type Emit struct {
	Deliverer Deliverer
	Now       func() time.Time // default time.Now
	Logger    *slog.Logger     // default: discard
}

// Handle decodes the request, refuses it whole if any event is invalid or too large, and
// otherwise returns the delivery report. Errors carry a protocol error type.
func (h *Emit) Handle(ctx context.Context, payload json.RawMessage) (protocol.DeliveryReport, error) {
	req, err := events.Decode(payload)
	if err != nil {
		return protocol.DeliveryReport{}, functionError(err)
	}
	msgs, err := events.Render(req, clock(h.Now))
	if err != nil {
		return protocol.DeliveryReport{}, functionError(err)
	}
	report, err := h.Deliverer.Deliver(ctx, req.UserID, msgs)
	log := logger(h.Logger).With("user_id", req.UserID, "events", len(msgs))
	if err != nil {
		log.ErrorContext(ctx, "emit failed", "error", err)
		return report, functionError(err)
	}
	log.InfoContext(ctx, "emitted", "connections", report.Connections, "delivered", report.Delivered,
		"stale_removed", report.StaleRemoved, "failed", report.Failed)
	return report, nil
}
