package gateway

import (
	"context"
	"time"
)

// runDisconnect invokes $disconnect once for a connection that ended. Like AWS it is
// best effort: a failure is logged, never retried.
func (g *Gateway) runDisconnect(c *conn, code int, reason string) {
	route, ok := g.cfg.Routes[routeDisconnect]
	if !ok {
		return
	}
	ev := g.disconnectEvent(c, code, reason, time.Now())
	res, err := g.invoke(context.Background(), route.Function, ev)
	switch {
	case err != nil:
		g.log.Warn("$disconnect failed", "connectionId", c.id, "err", err)
	case res.FunctionError != "":
		g.log.Warn("$disconnect function error", "connectionId", c.id, "functionError", res.FunctionError)
	}
}
