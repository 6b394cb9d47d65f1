// Package stream is the function behind the WebSocket routes resume and replay: it finds the
// user the asking connection belongs to, reads that user's stored events (never another
// user's) and posts them, in offset order, to that one connection through @connections,
// followed by a resumed or replayed message saying how far the connection is now complete.
// A malformed request gets an error frame instead (protocol.ControlError).
//
// The posts of one answer are made one at a time, in order. A post answered 429 (the
// connection's buffer is full, or @connections is rate limited) is retried with jittered
// exponential backoff within the answer's throttle budget (Handler.ThrottleBudget). An answer
// cut short for any other reason than the connection being gone (budget spent, a post that
// failed, the invocation's deadline) ends with an error frame for its action saying so, when it
// can still be posted, so the client asks again at once instead of waiting for its timeout.
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
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"

	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
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
	// ThrottleBudget is the total backoff one answer may spend on its connection's 429s. Once
	// spent the answer is cut short; its error frame may wait a further quarter of it. Default
	// DefaultThrottleBudget (2s).
	ThrottleBudget time.Duration
}

// cutShortMessage is the error frame's message for an answer that did not reach its end.
const cutShortMessage = "answer cut short before it was complete; ask again"

// Handle answers one control message. The status only reaches API Gateway's logs; the
// connection learns everything from the messages posted to it.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	log := h.logger().With("connection_id", rc.ConnectionID, "action", rc.RouteKey)
	c := &conn{poster: h.Poster, id: rc.ConnectionID, budget: h.throttleBudget()}
	creq, err := parseRequest(rc.RouteKey, []byte(req.Body))
	if err != nil {
		log.InfoContext(ctx, "control message refused", "reason", err.Error())
		return h.answerError(ctx, c, rc.RouteKey, err.Error(), http.StatusBadRequest), nil
	}
	userID, err := h.Stream.Owner(ctx, rc.ConnectionID)
	if errors.Is(err, eventstream.ErrUnknownConnection) {
		log.WarnContext(ctx, "control message from a connection without an owner")
		return h.answerError(ctx, c, rc.RouteKey, "connection unknown; reconnect", http.StatusForbidden), nil
	}
	if err != nil {
		log.ErrorContext(ctx, "owner lookup failed", "error", err)
		return h.answerError(ctx, c, rc.RouteKey, "stream unavailable; retry", http.StatusInternalServerError), nil
	}
	log = log.With("user_id", userID)
	page, final, err := h.read(ctx, userID, creq)
	if err != nil {
		log.ErrorContext(ctx, "stream read failed", "error", err)
		return h.answerError(ctx, c, rc.RouteKey, "stream unavailable; retry", http.StatusInternalServerError), nil
	}
	// The posts stop short of the deadline, leaving time to post the error frame.
	sendCtx, cancel := fanout.WithMargin(ctx, deadlineMargin)
	sent, err := send(sendCtx, c, page.Records, final)
	cancel()
	if fanout.IsGone(err) {
		log.InfoContext(ctx, "connection gone during the answer", "events", len(page.Records), "sent", sent, "error", err)
		return status(http.StatusGone), nil
	}
	if err != nil {
		log.WarnContext(ctx, "answer cut short", "events", len(page.Records), "sent", sent,
			"throttled", errors.Is(err, fanout.ErrThrottled), "error", err)
		// The error frame may wait out 429s too: what is left of the budget, or a quarter of it.
		c.budget = max(c.budget, h.throttleBudget()/4)
		return h.answerError(ctx, c, rc.RouteKey, cutShortMessage, http.StatusInternalServerError), nil
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
// that misses one message must not be told it is complete. It returns how many records were
// posted.
func send(ctx context.Context, c *conn, recs []eventstream.Record, final any) (int, error) {
	for i, r := range recs {
		if err := ctx.Err(); err != nil {
			return i, fmt.Errorf("event at offset %d not posted: %w", r.Offset, err)
		}
		if err := c.post(ctx, r.Data); err != nil {
			return i, fmt.Errorf("event at offset %d: %w", r.Offset, err)
		}
	}
	data, err := json.Marshal(final)
	if err != nil {
		return len(recs), err
	}
	if err := ctx.Err(); err != nil {
		return len(recs), fmt.Errorf("final message not posted: %w", err)
	}
	return len(recs), c.post(ctx, data)
}

// answerError posts a protocol.ControlError to the connection and returns code.
func (h *Handler) answerError(ctx context.Context, c *conn, action, msg string, code int) events.APIGatewayProxyResponse {
	data, _ := json.Marshal(protocol.ControlError{Type: protocol.TypeError, Action: action, Message: msg})
	if err := c.post(ctx, data); err != nil {
		h.logger().WarnContext(ctx, "error frame not delivered", "connection_id", c.id, "action", action, "error", err)
	}
	return status(code)
}

func (h *Handler) throttleBudget() time.Duration {
	if h.ThrottleBudget <= 0 {
		return DefaultThrottleBudget
	}
	return h.ThrottleBudget
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
