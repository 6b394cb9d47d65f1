package gateway

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gobwas/ws"
)

// ServeWebSocket is the WebSocket endpoint, /{stage}. A GET with Upgrade is the handshake: it
// stays pending while the authorizer and $connect run, and only a 2xx from $connect completes
// it; any other request answers 426 Upgrade Required.
func (g *Gateway) ServeWebSocket(w http.ResponseWriter, r *http.Request) {
	if !isWebSocketRequest(r) {
		writeError(w, errNotUpgrade)
		return
	}
	if !g.begin() {
		writeError(w, errShuttingDown)
		return
	}
	if !g.handshake(w, r) {
		g.wg.Done()
	}
}

// handshake runs $connect and upgrades; true when a reader goroutine now owns the
// in-flight count taken by begin.
func (g *Gateway) handshake(w http.ResponseWriter, r *http.Request) bool {
	id, err := g.reg.issue()
	if err != nil {
		writeError(w, err)
		return false
	}
	c := newConn(id, r.Host, identityOf(r), time.Now())
	g.reg.add(c)
	resp, err := g.runConnect(r, c)
	if err != nil {
		g.reg.remove(id)
		g.log.Info("connect refused", "connectionId", id, "err", err)
		writeError(w, err)
		return false
	}
	if resp.StatusCode/100 != 2 {
		g.reg.remove(id)
		writeProxyResponse(w, resp)
		return false
	}
	c.setState(stateUpgrading)
	if err := g.upgrade(w, r, c, upgradeHeaders(proxyHeaders(resp))); err != nil {
		g.reg.remove(id)
		c.setState(stateClosing)
		g.log.Info("upgrade failed", "connectionId", id, "err", err)
		g.runDisconnect(c, codeAbnormal, "")
		return false
	}
	return true
}

// runConnect runs the authorizer and the $connect integration. Without a $connect route
// every connect succeeds, as on AWS.
func (g *Gateway) runConnect(r *http.Request, c *conn) (events.APIGatewayProxyResponse, error) {
	ev := g.connectEvent(c, r, c.connectedAt)
	route, ok := g.cfg.Routes[routeConnect]
	if !ok {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	}
	if route.Authorizer != nil {
		authz, err := g.authorize(r.Context(), route.Authorizer, r, ev)
		if err != nil {
			return events.APIGatewayProxyResponse{}, err
		}
		c.authorizer = authz
		ev.RequestContext.Authorizer = authz
	}
	res, err := g.invoke(r.Context(), route.Function, ev)
	if err != nil {
		if errors.Is(err, errIntegrationTimeout) {
			return events.APIGatewayProxyResponse{}, err
		}
		return events.APIGatewayProxyResponse{}, fmt.Errorf("%w: %w", errIntegrationFailure, err)
	}
	return decodeProxyResponse(res)
}

// upgrade completes the handshake with the $connect response headers, which carry the
// only Sec-WebSocket-Protocol the client gets: none is picked from the client's offer.
func (g *Gateway) upgrade(w http.ResponseWriter, r *http.Request, c *conn, h http.Header) error {
	u := ws.HTTPUpgrader{Timeout: g.cfg.HandshakeTimeout, Header: h}
	netConn, rw, _, err := u.Upgrade(r, w)
	if err != nil {
		if netConn != nil {
			_ = netConn.Close()
		}
		return fmt.Errorf("gateway: upgrade: %w", err)
	}
	// Drop the server's bufio buffers: an idle connection reads straight from the socket.
	var src io.Reader = netConn
	if n := rw.Reader.Buffered(); n > 0 {
		early, _ := rw.Reader.Peek(n)
		src = io.MultiReader(bytes.NewReader(bytes.Clone(early)), netConn)
	}
	c.netConn = netConn
	c.out.conn = netConn
	c.out.limit = g.cfg.SendQueueBytes
	c.setState(stateOpen)
	go g.serveConn(c, src)
	if g.isShuttingDown() {
		c.closeWith(ws.StatusGoingAway, reasonGoingAway)
	}
	return nil
}

// serveConn reads the connection until it ends, then forgets it and runs $disconnect.
func (g *Gateway) serveConn(c *conn, src io.Reader) {
	defer g.wg.Done()
	writerCloses := c.readLoop(src, g.limits(), func(op ws.OpCode, payload []byte) {
		g.dispatch(c, op, payload)
	})
	if !writerCloses {
		_ = c.netConn.Close()
	}
	g.reg.remove(c.id)
	code, reason := c.closeStatus()
	g.runDisconnect(c, code, reason)
}

func (g *Gateway) limits() readLimits {
	return readLimits{
		idle:        g.cfg.IdleTimeout,
		maxDuration: g.cfg.MaxConnectionDuration,
		maxFrame:    g.cfg.MaxFrameBytes,
		maxMsg:      g.cfg.MaxMessageBytes,
	}
}

// isWebSocketRequest is the cheap check done before $connect runs, so that plain GETs
// never reach the integration; gobwas/ws validates the rest during the upgrade.
func isWebSocketRequest(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		strings.EqualFold(r.Header.Get("Upgrade"), "websocket") &&
		r.Header.Get("Sec-WebSocket-Key") != ""
}
