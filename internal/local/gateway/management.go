package gateway

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gobwas/ws"
)

// isoMillis is the management API's timestamp format, ISO-8601 with milliseconds, UTC.
const isoMillis = "2006-01-02T15:04:05.000Z"

// The management API (POST, GET and DELETE on @connections/{id}). The route's {id} wildcard
// holds the connection id, unescaped (ids may arrive URL-encoded: %3D, %2F). SigV4 signatures
// are accepted unverified.

// openConnection resolves the route's {id}: 400 for a malformed id, 410 for a connection that
// is not open, including one still inside $connect, as on AWS.
func (g *Gateway) openConnection(w http.ResponseWriter, r *http.Request) (*conn, bool) {
	id := r.PathValue("id")
	if !validConnectionID(id) {
		writeError(w, errBadRequest("Invalid connectionId: "+id))
		return nil, false
	}
	c := g.reg.get(id)
	if c != nil {
		c.awaitUpgrade(r.Context())
	}
	if c == nil || !c.isOpen() {
		writeError(w, errGone)
		return nil, false
	}
	return c, true
}

// PostToConnection sends the raw body to the connection {id} as one text frame.
func (g *Gateway) PostToConnection(w http.ResponseWriter, r *http.Request) {
	c, ok := g.openConnection(w, r)
	if !ok {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, int64(g.cfg.MaxMessageBytes)+1))
	if err != nil {
		writeError(w, fmt.Errorf("%w: %w", errBadRequest("Could not read request body"), err))
		return
	}
	if len(data) > g.cfg.MaxMessageBytes {
		writeError(w, errPayloadTooLarge)
		return
	}
	if err := c.out.send(ws.NewTextFrame(data)); err != nil {
		writeError(w, err)
		return
	}
	c.touch(time.Now(), false)
	w.WriteHeader(http.StatusOK)
}

type connectionInfo struct {
	ConnectedAt  string       `json:"connectedAt"`
	Identity     identityInfo `json:"identity"`
	LastActiveAt string       `json:"lastActiveAt"`
}

type identityInfo struct {
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// GetConnection describes the connection {id}.
func (g *Gateway) GetConnection(w http.ResponseWriter, r *http.Request) {
	c, ok := g.openConnection(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, connectionInfo{
		ConnectedAt:  c.connectedAt.UTC().Format(isoMillis),
		Identity:     identityInfo{SourceIP: c.identity.SourceIP, UserAgent: c.identity.UserAgent},
		LastActiveAt: c.lastActiveAt().UTC().Format(isoMillis),
	})
}

// DeleteConnection closes the socket of connection {id}; $disconnect follows from the reader.
func (g *Gateway) DeleteConnection(w http.ResponseWriter, r *http.Request) {
	c, ok := g.openConnection(w, r)
	if !ok {
		return
	}
	if !c.closeWith(codeDeleted, reasonDeleted) {
		writeError(w, errGone)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
