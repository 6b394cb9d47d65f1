// Package emit is the function agents invoke: it decodes and validates a request strictly, renders
// one envelope per event and fans them out to every live connection of the user, answering with a
// delivery report. Errors that leave the function are mapped to protocol error types in errors.go.
// A request none of whose messages reached a live connection, for a reason other than the
// connection being gone, is an error (DeliveryFailed), not a report: see undelivered.
package emit

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/internal/stack/metrics"
	"github.com/agentbridge/agentbridge/protocol"
)

// Deliverer fans rendered events out to a user's connections.
type Deliverer interface {
	Deliver(ctx context.Context, userID string, msgs []eventcodec.Message) (protocol.DeliveryReport, error)
}

// Metrics records one request's outcome; *metrics.Writer is one.
type Metrics interface {
	Emit(metrics.EmitResult) error
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
	// Metrics records each request's outcome. Default: none.
	Metrics Metrics
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
		return protocol.DeliveryReport{}, cfg.refuse(functionError(err))
	}
	msgs, err := eventcodec.Render(req, cfg.Now())
	if err != nil {
		return protocol.DeliveryReport{}, cfg.refuse(functionError(err))
	}
	start := time.Now()
	report, err := cfg.Deliverer.Deliver(ctx, req.UserID, msgs)
	result := metrics.EmitResult{Report: report, FanoutTime: time.Since(start), Delivered: err == nil}
	log := cfg.Logger.With("user_id", req.UserID, "events", len(msgs))
	if err != nil {
		log.ErrorContext(ctx, "emit failed", "error", err)
		return report, cfg.finish(result, functionError(err))
	}
	if err := undelivered(report); err != nil {
		log.WarnContext(ctx, "emit delivered nothing", "connections", report.Connections, "error", err)
		return report, cfg.finish(result, err)
	}
	log.InfoContext(ctx, "emitted", "connections", report.Connections, "delivered", report.Delivered,
		"stale_removed", report.StaleRemoved, "gone", report.Gone, "throttled", report.Throttled,
		"failed", report.Failed, "not_attempted", report.NotAttempted)
	return report, cfg.finish(result, nil)
}

// refuse records a request that never reached delivery.
func (h Handler) refuse(err error) error {
	return h.finish(metrics.EmitResult{}, err)
}

// finish records the request's metrics and passes err through. A metrics write failure is
// logged, never returned: the events were handled either way.
func (h Handler) finish(r metrics.EmitResult, err error) error {
	if h.Metrics == nil {
		return err
	}
	r.ErrorType = errorType(err)
	if werr := h.Metrics.Emit(r); werr != nil {
		h.Logger.Warn("metrics write failed", "error", werr)
	}
	return err
}
