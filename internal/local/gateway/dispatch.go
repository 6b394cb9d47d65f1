package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/gobwas/ws"
)

// Error frame messages API Gateway sends to the client.
const (
	msgForbidden      = "Forbidden"
	msgInternalError  = "Internal server error"
	msgRequestTimeout = "Endpoint request timed out"
)

// dispatch routes one inbound message and runs its integration asynchronously. The
// reader waits only for a free integration slot, never for an integration to finish.
func (g *Gateway) dispatch(c *conn, op ws.OpCode, payload []byte) {
	key := selectRoute(g.cfg.RouteSelectionExpression, payload, g.cfg.Routes)
	if route := g.cfg.Routes[key]; route.Mock != nil {
		g.mock(c, route)
		return
	}
	body, b64 := string(payload), false
	if op == ws.OpBinary {
		body, b64 = base64.StdEncoding.EncodeToString(payload), true
	}
	ev := g.messageEvent(c, key, body, b64, time.Now())
	if key == "" {
		// No route and no $default: AWS answers with an error frame, never silence.
		g.sendError(c, msgForbidden, ev.RequestContext.RequestID)
		return
	}
	c.inflight <- struct{}{}
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		defer func() { <-c.inflight }()
		g.integrate(c, g.cfg.Routes[key], ev.RequestContext.RequestID, ev)
	}()
}

// integrate invokes a message route and delivers its outcome to the client.
func (g *Gateway) integrate(c *conn, route Route, requestID string, ev any) {
	res, err := g.invoke(context.Background(), route.Function, ev)
	switch {
	case errors.Is(err, errIntegrationTimeout):
		g.sendError(c, msgRequestTimeout, requestID)
		return
	case err != nil || res.FunctionError != "":
		g.log.Warn("integration failed", "connectionId", c.id, "route", route.Key, "err", err, "functionError", res.FunctionError)
		g.sendError(c, msgInternalError, requestID)
		return
	case !route.ReturnResponse:
		return
	}
	resp, err := decodeProxyResponse(res)
	var body []byte
	if err == nil {
		body, err = proxyBody(resp)
	}
	if err != nil {
		g.sendError(c, msgInternalError, requestID)
		return
	}
	if len(body) > 0 {
		g.send(c, ws.NewTextFrame(body))
	}
}

// mock answers a MOCK route as API Gateway does: nothing is invoked, and only a two-way
// route sends its static response back. The message already counted as activity.
func (g *Gateway) mock(c *conn, route Route) {
	if route.ReturnResponse && len(route.Mock.Response) > 0 {
		g.send(c, ws.NewTextFrame(route.Mock.Response))
	}
}

// sendError sends API Gateway's error frame.
func (g *Gateway) sendError(c *conn, message, requestID string) {
	frame, _ := json.Marshal(struct {
		Message      string `json:"message"`
		ConnectionID string `json:"connectionId"`
		RequestID    string `json:"requestId"`
	}{message, c.id, requestID})
	g.send(c, ws.NewTextFrame(frame))
}

func (g *Gateway) send(c *conn, f ws.Frame) {
	if err := c.out.send(f); err != nil {
		g.log.Info("frame dropped", "connectionId", c.id, "err", err)
	}
}
