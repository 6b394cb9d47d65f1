// Package connect is the $connect function: it verifies the token a browser offers and stores
// the user-to-connection mapping, answering API Gateway with the status that completes or refuses
// the WebSocket handshake. Its only dependencies are a token verifier and a connection writer.
package connect

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

// TokenVerifier turns a bearer token into a user id.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (string, error)
}

// ConnectionWriter stores a mapping.
type ConnectionWriter interface {
	Put(ctx context.Context, c connstore.Connection) error
}

// Handler authenticates a $connect and records the user's new connection.
// Verifier and Store are required; the other fields default in withDefaults.
type Handler struct {
	Verifier TokenVerifier
	Store    ConnectionWriter
	// TTL is how long a mapping lives unless $disconnect removes it first.
	// Default lambdaenv.DefaultConnectionTTL.
	TTL time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives one line per request. Default: discard.
	Logger *slog.Logger
}

// withDefaults returns h with every unset field at its documented default.
func (h Handler) withDefaults() Handler {
	if h.TTL <= 0 {
		h.TTL = lambdaenv.DefaultConnectionTTL
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Logger == nil {
		h.Logger = slog.New(slog.DiscardHandler)
	}
	return h
}

// Handle answers 200 (echoing the agentbridge subprotocol when offered), 401 for a missing or
// invalid token, and 500 when the mapping cannot be stored.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	cfg := h.withDefaults()
	rc := req.RequestContext
	log := cfg.Logger.With("connection_id", rc.ConnectionID, "source_ip", rc.Identity.SourceIP)
	creds := auth.FromConnectRequest(req)
	userID, err := cfg.Verifier.Verify(ctx, creds.Token)
	if err != nil {
		log.InfoContext(ctx, "connect refused", "reason", err.Error())
		return status(http.StatusUnauthorized), nil
	}
	now := cfg.Now()
	conn := connstore.Connection{
		UserID: userID, ConnectionID: rc.ConnectionID, SourceIP: rc.Identity.SourceIP,
		ConnectedAt: connectedAt(rc.ConnectedAt, now), ExpiresAt: now.Add(cfg.TTL),
	}
	if err := cfg.Store.Put(ctx, conn); err != nil {
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

func status(code int) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: code, Body: http.StatusText(code)}
}
