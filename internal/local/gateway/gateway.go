package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gobwas/ws"
)

// Gateway is a local API Gateway WebSocket API. Create it with New.
type Gateway struct {
	cfg Config
	inv Invoker
	log *slog.Logger
	reg *registry

	// wg counts handshakes in progress, open connections and running integrations;
	// Shutdown waits for it. mu orders every wg.Add before Shutdown's Wait.
	wg       sync.WaitGroup
	mu       sync.Mutex
	shutdown bool
}

// New returns a Gateway for cfg (zero fields take their defaults) invoking functions
// through inv.
func New(cfg Config, inv Invoker) (*Gateway, error) {
	if inv == nil {
		return nil, errors.New("gateway: nil Invoker")
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &Gateway{cfg: cfg, inv: inv, log: cfg.Logger, reg: newRegistry()}, nil
}

// The gateway's endpoints are its exported Serve*, PostToConnection, GetConnection and
// DeleteConnection methods; devhost's router.go gives them their routes.

// ServeForbidden answers 403 ForbiddenException {"message":"Forbidden"}, as API Gateway does
// for a path or method it does not know.
func ServeForbidden(w http.ResponseWriter, _ *http.Request) { writeError(w, errForbidden) }

// ConnectionCount returns the number of open connections.
func (g *Gateway) ConnectionCount() int {
	n := 0
	for _, c := range g.reg.all() {
		if c.isOpen() {
			n++
		}
	}
	return n
}

// CloseOpenedBefore closes every open connection whose handshake began before t, with code
// and reason in the close frame, and reports how many it closed; $disconnect follows for each
// as for any server-initiated close. The local host uses it when the store holding the
// connections' mappings lost them, so that clients reconnect instead of waiting on sockets
// nothing will reach.
func (g *Gateway) CloseOpenedBefore(t time.Time, code int, reason string) int {
	n := 0
	for _, c := range g.reg.all() {
		if c.connectedAt.Before(t) && c.closeWith(ws.StatusCode(code), reason) {
			n++
		}
	}
	return n
}

// Shutdown refuses new handshakes, closes every socket with 1001 "Going away" and waits
// until each one's $disconnect and every running integration finished, or ctx ends
// (then the remaining sockets are dropped and ctx's error returned).
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.shutdown = true
	g.mu.Unlock()
	for _, c := range g.reg.all() {
		c.closeWith(ws.StatusGoingAway, reasonGoingAway)
	}
	done := make(chan struct{})
	go func() {
		g.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		for _, c := range g.reg.all() {
			if c.isOpen() { // netConn is set before the state becomes open
				_ = c.netConn.Close()
			}
		}
		return ctx.Err()
	}
}

// begin counts a new handshake unless shutting down.
func (g *Gateway) begin() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shutdown {
		return false
	}
	g.wg.Add(1)
	return true
}

func (g *Gateway) isShuttingDown() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.shutdown
}
