package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
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

// Handler serves both the WebSocket endpoint and the management API:
//
//	GET            /{stage}                    WebSocket upgrade ($connect)
//	POST|GET|DELETE /{stage}/@connections/{id}  management API
//	POST|GET|DELETE /@connections/{id}          management API (custom-domain form)
//
// Ids may be URL-encoded (%3D, %2F). Anything else answers 403 ForbiddenException, as
// API Gateway does for paths it does not know.
func (g *Gateway) Handler() http.Handler {
	return http.HandlerFunc(g.route)
}

func (g *Gateway) route(w http.ResponseWriter, r *http.Request) {
	segs, ok := pathSegments(r.URL)
	switch {
	case !ok:
		writeError(w, errForbidden)
	case len(segs) == 1 && segs[0] == g.cfg.Stage:
		g.serveWebSocket(w, r)
	case len(segs) == 2 && segs[0] == "@connections":
		g.serveConnection(w, r, segs[1])
	case len(segs) == 3 && segs[0] == g.cfg.Stage && segs[1] == "@connections":
		g.serveConnection(w, r, segs[2])
	default:
		writeError(w, errForbidden)
	}
}

// pathSegments splits the escaped path and unescapes each segment, so an id carrying
// an encoded "/" stays one segment.
func pathSegments(u *url.URL) ([]string, bool) {
	segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	for i, s := range segs {
		v, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		segs[i] = v
	}
	return segs, true
}

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
