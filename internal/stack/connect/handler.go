// Package connect is the $connect function: it verifies the token a browser offers and stores
// the user-to-connection mapping, answering API Gateway with the status that completes or refuses
// the WebSocket handshake. Its dependencies are a token verifier, a connection writer and the
// stream's owner records.
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

// OwnerWriter records which user a connection belongs to, for the stream function, which must
// know it with strong consistency (the connections table's connectionId index is eventually
// consistent, and a reconnecting tab sends resume at once).
type OwnerWriter interface {
	PutOwner(ctx context.Context, connectionID, userID string, expires time.Time) error
}

// Metrics records each $connect's outcome: "" for accepted, else the refusal reason.
// *metrics.Writer is one.
type Metrics interface {
	Connect(refusal string) error
}

// RefusedStore is the metrics reason of a $connect refused because the mapping could not be
// stored.
const RefusedStore = "store"

// Handler authenticates a $connect and records the user's new connection.
// Verifier and Store are required; the other fields default in withDefaults.
type Handler struct {
	Verifier TokenVerifier
	Store    ConnectionWriter
	// Owners is required on a deployed stack; nil records no owner (resume and replay then
	// answer that the connection is unknown).
	Owners OwnerWriter
	// TTL is how long a mapping lives unless $disconnect removes it first.
	// Default lambdaenv.DefaultConnectionTTL.
	TTL time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives one line per request. Default: discard.
	Logger *slog.Logger
	// Metrics records each outcome. Default: none.
	Metrics Metrics
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
		reason := auth.RefusalReason(err)
		log.InfoContext(ctx, "connect refused", "reason", reason, "error", err.Error())
		cfg.record(ctx, reason)
		return status(http.StatusUnauthorized), nil
	}
	now := cfg.Now()
	conn := connstore.Connection{
		UserID: userID, ConnectionID: rc.ConnectionID, SourceIP: rc.Identity.SourceIP,
		ConnectedAt: connectedAt(rc.ConnectedAt, now), ExpiresAt: now.Add(cfg.TTL),
	}
	// The owner first: if either write fails the handshake is refused, and a lone owner item
	// is harmless (no connection uses it), while a lone mapping would draw emit's posts.
	if cfg.Owners != nil {
		if err := cfg.Owners.PutOwner(ctx, conn.ConnectionID, userID, conn.ExpiresAt); err != nil {
			log.ErrorContext(ctx, "connect failed", "user_id", userID, "error", err)
			cfg.record(ctx, RefusedStore)
			return status(http.StatusInternalServerError), nil
		}
	}
	if err := cfg.Store.Put(ctx, conn); err != nil {
		log.ErrorContext(ctx, "connect failed", "user_id", userID, "error", err)
		cfg.record(ctx, RefusedStore)
		return status(http.StatusInternalServerError), nil
	}
	log.InfoContext(ctx, "connected", "user_id", userID)
	cfg.record(ctx, "")
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

// record writes the outcome's metric; a failed write is logged, never the $connect's fault.
func (h Handler) record(ctx context.Context, refusal string) {
	if h.Metrics == nil {
		return
	}
	if err := h.Metrics.Connect(refusal); err != nil {
		h.Logger.WarnContext(ctx, "metrics write failed", "error", err)
	}
}

func status(code int) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: code, Body: http.StatusText(code)}
}
