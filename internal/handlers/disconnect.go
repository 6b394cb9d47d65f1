package handlers

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

// Disconnect removes a closed connection's mapping. It is idempotent: an unknown id is fine.
type Disconnect struct {
	Store  ConnectionRemover
	Logger *slog.Logger // default: discard
}

// Handle removes the mapping. API Gateway ignores the answer; a failure is logged and left to
// the mapping's expiry.
func (h *Disconnect) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	log := logger(h.Logger).With("connection_id", rc.ConnectionID)
	removed, err := h.Store.DeleteByConnectionID(ctx, rc.ConnectionID)
	if err != nil {
		log.ErrorContext(ctx, "disconnect cleanup failed", "error", err)
		return status(http.StatusInternalServerError), nil
	}
	log.InfoContext(ctx, "disconnected", "removed", removed, "status_code", rc.DisconnectStatusCode)
	return status(http.StatusOK), nil
}
