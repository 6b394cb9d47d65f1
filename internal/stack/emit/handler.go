// Package emit is the function agents invoke: it decodes and validates a request strictly, renders
// one envelope per event, stores each in the user's stream (which gives it its offset, and turns a
// retried event id into the stored envelope instead of a copy) and only then fans them out to
// every live connection of the user, answering with a delivery report. Storing first is what
// makes resume gap-free: a connection that emit's read missed was stored after it, and asks the
// stream for the event when it resumes. A request none of whose messages reached a live
// connection, for a reason other than the connection being gone, is an error (DeliveryFailed),
// not a report: see undelivered. Errors that leave the function are mapped to protocol error
// types in errors.go.
package emit

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/internal/stack/metrics"
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

// Metrics records one request's outcome; *metrics.Writer is one.
type Metrics interface {
	Emit(metrics.EmitResult) error
}

// Handler accepts agent events and delivers them to every live connection of their user.
//
// The steps are decode, render, store, deliver; nothing is delivered unless every event is
// stored. Deliverer is required; the other fields default in withDefaults.
type Handler struct {
	Deliverer Deliverer
	// Stream is required on a deployed stack; nil delivers without storing (envelopes then carry
	// no offset), which only tests of the fan-out alone use.
	Stream Stream
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

// Handle decodes the request, refuses it whole if any event is invalid or too large, stores
// it, and otherwise returns the delivery report. Errors carry a protocol error type.
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
	log := cfg.Logger.With("user_id", req.UserID, "events", len(msgs))
	msgs, stored, err := cfg.store(ctx, req.UserID, msgs)
	if err != nil {
		log.ErrorContext(ctx, "store failed, nothing delivered", "stored", stored.Stored, "error", err)
		report := protocol.DeliveryReport{Events: len(msgs), Stored: stored.Stored}
		return report, cfg.finish(metrics.EmitResult{Report: report}, functionError(err))
	}
	start := time.Now()
	report, err := cfg.Deliverer.Deliver(ctx, req.UserID, msgs)
	report.Stored, report.Duplicates = stored.Stored, stored.Duplicates
	result := metrics.EmitResult{Report: report, FanoutTime: time.Since(start), Delivered: err == nil}
	if err != nil {
		log.ErrorContext(ctx, "emit failed", "error", err)
		return report, cfg.finish(result, functionError(err))
	}
	if err := undelivered(report); err != nil {
		log.WarnContext(ctx, "emit delivered nothing", "connections", report.Connections, "error", err)
		return report, cfg.finish(result, err)
	}
	log.InfoContext(ctx, "emitted", "stored", report.Stored, "duplicates", report.Duplicates,
		"connections", report.Connections, "delivered", report.Delivered,
		"stale_removed", report.StaleRemoved, "gone", report.Gone, "throttled", report.Throttled,
		"failed", report.Failed, "not_attempted", report.NotAttempted)
	return report, cfg.finish(result, nil)
}

// store appends msgs to the stream and returns the messages to deliver: each new event with
// its offset, each duplicate as stored earlier.
func (h Handler) store(ctx context.Context, userID string, msgs []eventcodec.Message) ([]eventcodec.Message, eventstream.Appended, error) {
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
