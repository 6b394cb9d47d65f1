package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/agentbridge/agentbridge/internal/auth"
	"github.com/agentbridge/agentbridge/internal/connections"
)

// TokenVerifier turns a bearer token into a user id.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (string, error)
}

// ConnectionWriter stores a mapping.
type ConnectionWriter interface {
	Put(ctx context.Context, c connections.Connection) error
}

// Connect authenticates a $connect and records the user's new connection.
type Connect struct {
	Verifier TokenVerifier
	Store    ConnectionWriter
	TTL      time.Duration
	Now      func() time.Time // default time.Now
	Logger   *slog.Logger     // default: discard
}

// Handle answers 200 (echoing the agentbridge subprotocol when offered), 401 for a missing or
// invalid token, and 500 when the mapping cannot be stored.
func (h *Connect) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	log := logger(h.Logger).With("connection_id", rc.ConnectionID, "source_ip", rc.Identity.SourceIP)
	creds := auth.FromConnectRequest(req)
	userID, err := h.Verifier.Verify(ctx, creds.Token)
	if err != nil {
		log.InfoContext(ctx, "connect refused", "reason", err.Error())
		return status(http.StatusUnauthorized), nil
	}
	now := clock(h.Now)
	conn := connections.Connection{
		UserID: userID, ConnectionID: rc.ConnectionID, SourceIP: rc.Identity.SourceIP,
		ConnectedAt: connectedAt(rc.ConnectedAt, now), ExpiresAt: now.Add(h.TTL),
	}
	if err := h.Store.Put(ctx, conn); err != nil {
		log.ErrorContext(ctx, "connect failed", "user_id", userID, "error", err)
		return status(http.StatusInternalServerError), nil
	}
	log.InfoContext(ctx, "connected", "user_id", userID)
	resp := status(http.StatusOK)
	if creds.OfferedSubprotocol {
		resp.Headers = map[string]string{"Sec-WebSocket-Protocol": auth.Subprotocol}
	}
	return resp, nil
}

// connectedAt prefers API Gateway's own connect time (epoch ms), so a retried $connect stores
// the same value and stays idempotent.
func connectedAt(epochMillis int64, now time.Time) time.Time {
	if epochMillis > 0 {
		return time.UnixMilli(epochMillis)
	}
	return now
}
