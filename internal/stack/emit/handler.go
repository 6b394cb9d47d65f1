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
//
// Deliverer is required; the other fields default in withDefaults.
type Handler struct {
	Deliverer Deliverer
	// Now is the clock that stamps envelopes. Default time.Now.
	Now func() time.Time
	// Logger receives one line per request. Default: discard.
	Logger *slog.Logger
}

// withDefaults returns h with every unset field at its documented default.
func (h Handler) withDefaults() Handler {
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Logger == nil {
		h.Logger = slog.New(slog.DiscardHandler)
	}
	return h
}

// Handle decodes the request, refuses it whole if any event is invalid or too large, and
// otherwise returns the delivery report. Errors carry a protocol error type.
func (h *Handler) Handle(ctx context.Context, payload json.RawMessage) (protocol.DeliveryReport, error) {
	cfg := h.withDefaults()
	req, err := eventcodec.Decode(payload)
	if err != nil {
		return protocol.DeliveryReport{}, functionError(err)
	}
	msgs, err := eventcodec.Render(req, cfg.Now())
	if err != nil {
		return protocol.DeliveryReport{}, functionError(err)
	}
	report, err := cfg.Deliverer.Deliver(ctx, req.UserID, msgs)
	log := cfg.Logger.With("user_id", req.UserID, "events", len(msgs))
	if err != nil {
		log.ErrorContext(ctx, "emit failed", "error", err)
		return report, functionError(err)
	}
	log.InfoContext(ctx, "emitted", "connections", report.Connections, "delivered", report.Delivered,
		"stale_removed", report.StaleRemoved, "gone", report.Gone, "throttled", report.Throttled,
		"failed", report.Failed, "not_attempted", report.NotAttempted)
	return report, nil
}
