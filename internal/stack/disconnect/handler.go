// Package disconnect is the $disconnect function: it removes a closed connection's mapping, best
// effort as on AWS (the mapping's expiry covers a $disconnect that never runs).
package disconnect

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// ConnectionRemover removes the mappings of a connection id.
type ConnectionRemover interface {
	DeleteByConnectionID(ctx context.Context, connectionID string) (int, error)
}

// Handler removes a closed connection's mapping. It is idempotent: an unknown id is fine.
// Store is required; Logger defaults in withDefaults.
type Handler struct {
	Store ConnectionRemover
	// Logger receives one line per request. Default: discard.
	Logger *slog.Logger
}

// withDefaults returns h with every unset field at its documented default.
func (h Handler) withDefaults() Handler {
	if h.Logger == nil {
		h.Logger = slog.New(slog.DiscardHandler)
	}
	return h
}

// Handle removes the mapping. API Gateway ignores the answer; a failure is logged and left to
// the mapping's expiry.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	cfg := h.withDefaults()
	rc := req.RequestContext
	log := cfg.Logger.With("connection_id", rc.ConnectionID)
	removed, err := cfg.Store.DeleteByConnectionID(ctx, rc.ConnectionID)
	if err != nil {
		log.ErrorContext(ctx, "disconnect cleanup failed", "error", err)
		return status(http.StatusInternalServerError), nil
	}
	log.InfoContext(ctx, "disconnected", "removed", removed, "status_code", rc.DisconnectStatusCode)
	return status(http.StatusOK), nil
}

func status(code int) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: code, Body: http.StatusText(code)}
}
