// Package stream is the function behind the WebSocket routes resume and replay: it finds the
// user the asking connection belongs to, reads that user's stored events (never another
// user's) and posts them, in offset order, to that one connection through @connections,
// followed by a resumed or replayed message saying how far the connection is now complete.
// A malformed request gets an error frame instead (protocol.ControlError).
//
// Events emitted while a resume runs also reach the connection live, possibly before the
// resumed ones; the client drops repeats by offset.
package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"

	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/protocol"
)

// Reader is the part of the event stream the function reads.
type Reader interface {
	Owner(ctx context.Context, connectionID string) (string, error)
	After(ctx context.Context, userID string, after int64, limit int) (eventstream.Page, error)
	Run(ctx context.Context, userID, runID string, after int64, limit int) (eventstream.Page, error)
}

// Poster posts one message to one connection; *apigatewaymanagementapi.Client is one.
type Poster interface {
	PostToConnection(ctx context.Context, in *apigatewaymanagementapi.PostToConnectionInput, opts ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error)
}

// Handler answers resume and replay.
type Handler struct {
	Stream Reader
	Poster Poster
	Logger *slog.Logger // default: discard
}

// Handle answers one control message. The status only reaches API Gateway's logs; the
// connection learns everything from the messages posted to it.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	log := h.logger().With("connection_id", rc.ConnectionID, "action", rc.RouteKey)
	creq, err := parseRequest(rc.RouteKey, []byte(req.Body))
	if err != nil {
		log.InfoContext(ctx, "control message refused", "reason", err.Error())
		return h.answerError(ctx, rc.ConnectionID, rc.RouteKey, err.Error(), http.StatusBadRequest), nil
	}
	userID, err := h.Stream.Owner(ctx, rc.ConnectionID)
	if errors.Is(err, eventstream.ErrUnknownConnection) {
		log.WarnContext(ctx, "control message from a connection without an owner")
		return h.answerError(ctx, rc.ConnectionID, rc.RouteKey, "connection unknown; reconnect", http.StatusForbidden), nil
	}
	if err != nil {
		log.ErrorContext(ctx, "owner lookup failed", "error", err)
		return h.answerError(ctx, rc.ConnectionID, rc.RouteKey, "stream unavailable; retry", http.StatusInternalServerError), nil
	}
	log = log.With("user_id", userID)
	page, final, err := h.read(ctx, userID, creq)
	if err != nil {
		log.ErrorContext(ctx, "stream read failed", "error", err)
		return h.answerError(ctx, rc.ConnectionID, rc.RouteKey, "stream unavailable; retry", http.StatusInternalServerError), nil
	}
	if err := h.send(ctx, rc.ConnectionID, page.Records, final); err != nil {
		log.WarnContext(ctx, "answer not delivered", "events", len(page.Records), "error", err)
		return status(http.StatusGone), nil
	}
	log.InfoContext(ctx, "answered", "after", creq.After, "run_id", creq.RunID, "events", len(page.Records),
		"through", page.Through, "complete", page.Complete, "reason", page.Reason)
	return status(http.StatusOK), nil
}

// read returns the page the request asks for and the message that ends it.
func (h *Handler) read(ctx context.Context, userID string, req request) (eventstream.Page, any, error) {
	if req.Action == protocol.ActionReplay {
		p, err := h.Stream.Run(ctx, userID, req.RunID, req.After, protocol.MaxEventsPerAnswer)
		return p, protocol.Replayed{Type: protocol.TypeReplayed, RunID: req.RunID, Through: p.Through, Complete: p.Complete, Reason: p.Reason}, err
	}
	p, err := h.Stream.After(ctx, userID, req.After, protocol.MaxEventsPerAnswer)
	return p, protocol.Resumed{Type: protocol.TypeResumed, After: req.After, Through: p.Through, Complete: p.Complete, Reason: p.Reason}, err
}

// send posts the records then final, in order, stopping at the first failure: a connection
// that misses one message must not be told it is complete.
func (h *Handler) send(ctx context.Context, connectionID string, recs []eventstream.Record, final any) error {
	for _, r := range recs {
		if err := h.post(ctx, connectionID, r.Data); err != nil {
			return fmt.Errorf("event at offset %d: %w", r.Offset, err)
		}
	}
	data, err := json.Marshal(final)
	if err != nil {
		return err
	}
	return h.post(ctx, connectionID, data)
}

func (h *Handler) post(ctx context.Context, connectionID string, data []byte) error {
	_, err := h.Poster.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &connectionID, Data: data})
	return err
}

// answerError posts a protocol.ControlError to the connection and returns code.
func (h *Handler) answerError(ctx context.Context, connectionID, action, msg string, code int) events.APIGatewayProxyResponse {
	data, _ := json.Marshal(protocol.ControlError{Type: protocol.TypeError, Action: action, Message: msg})
	if err := h.post(ctx, connectionID, data); err != nil {
		h.logger().WarnContext(ctx, "error frame not delivered", "connection_id", connectionID, "error", err)
	}
	return status(code)
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func status(code int) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: code, Body: http.StatusText(code)}
}
