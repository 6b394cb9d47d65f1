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

// serveConnection handles /@connections/{id} for POST (PostToConnection), GET
// (GetConnection) and DELETE (DeleteConnection). SigV4 signatures are accepted
// unverified. A connection still inside $connect is gone, as on AWS.
func (g *Gateway) serveConnection(w http.ResponseWriter, r *http.Request, id string) {
	handlers := map[string]func(http.ResponseWriter, *http.Request, *conn){
		http.MethodPost:   g.postToConnection,
		http.MethodGet:    g.getConnection,
		http.MethodDelete: g.deleteConnection,
	}
	handle, ok := handlers[r.Method]
	if !ok {
		writeError(w, errForbidden)
		return
	}
	if !validConnectionID(id) {
		writeError(w, errBadRequest("Invalid connectionId: "+id))
		return
	}
	c := g.reg.get(id)
	if c != nil {
		c.awaitUpgrade(r.Context())
	}
	if c == nil || !c.isOpen() {
		writeError(w, errGone)
		return
	}
	handle(w, r, c)
}

// postToConnection sends the raw body as one text frame.
func (g *Gateway) postToConnection(w http.ResponseWriter, r *http.Request, c *conn) {
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

func (g *Gateway) getConnection(w http.ResponseWriter, _ *http.Request, c *conn) {
	writeJSON(w, http.StatusOK, connectionInfo{
		ConnectedAt:  c.connectedAt.UTC().Format(isoMillis),
		Identity:     identityInfo{SourceIP: c.identity.SourceIP, UserAgent: c.identity.UserAgent},
		LastActiveAt: c.lastActiveAt().UTC().Format(isoMillis),
	})
}

// deleteConnection closes the socket; $disconnect follows from the reader.
func (g *Gateway) deleteConnection(w http.ResponseWriter, _ *http.Request, c *conn) {
	if !c.closeWith(codeDeleted, reasonDeleted) {
		writeError(w, errGone)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
