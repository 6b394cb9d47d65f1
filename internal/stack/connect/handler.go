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
)

// TokenVerifier turns a bearer token into a user id.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (string, error)
}

// ConnectionWriter stores a mapping.
type ConnectionWriter interface {
	Put(ctx context.Context, c connstore.Connection) error
}

// OwnerWriter records which user a connection belongs to, for the stream function, which must
// know it with strong consistency (the connections table's connectionId index is eventually
// consistent, and a reconnecting tab sends resume at once).
type OwnerWriter interface {
	PutOwner(ctx context.Context, connectionID, userID string, expires time.Time) error
}

// Handler authenticates a $connect and records the user's new connection.
type Handler struct {
	Verifier TokenVerifier
	Store    ConnectionWriter
	// Owners is required on a deployed stack; nil records no owner (resume and replay then
	// answer that the connection is unknown).
	Owners OwnerWriter
	TTL    time.Duration
	Now    func() time.Time // default time.Now
	Logger *slog.Logger     // default: discard
}

// Handle answers 200 (echoing the agentbridge subprotocol when offered), 401 for a missing or
// invalid token, and 500 when the mapping cannot be stored.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	log := h.logger().With("connection_id", rc.ConnectionID, "source_ip", rc.Identity.SourceIP)
	creds := auth.FromConnectRequest(req)
	userID, err := h.Verifier.Verify(ctx, creds.Token)
	if err != nil {
		log.InfoContext(ctx, "connect refused", "reason", err.Error())
		return status(http.StatusUnauthorized), nil
	}
	now := h.now()
	conn := connstore.Connection{
		UserID: userID, ConnectionID: rc.ConnectionID, SourceIP: rc.Identity.SourceIP,
		ConnectedAt: connectedAt(rc.ConnectedAt, now), ExpiresAt: now.Add(h.TTL),
	}
	// The owner first: if either write fails the handshake is refused, and a lone owner item
	// is harmless (no connection uses it), while a lone mapping would draw emit's posts.
	if h.Owners != nil {
		if err := h.Owners.PutOwner(ctx, conn.ConnectionID, userID, conn.ExpiresAt); err != nil {
			log.ErrorContext(ctx, "connect failed", "user_id", userID, "error", err)
			return status(http.StatusInternalServerError), nil
		}
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

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

func (h *Handler) now() time.Time {
	if h.Now == nil {
		return time.Now()
	}
	return h.Now()
}

func status(code int) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: code, Body: http.StatusText(code)}
}
