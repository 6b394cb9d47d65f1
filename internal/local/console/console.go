package console

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// Config wires the console to its host. Token, Connections and Emit may be nil; the endpoint
// using one then answers 501 saying why.
type Config struct {
	// Dir holds the built console (index.html, console.js, console.css).
	Dir string
	// WebSocketURL is where the page connects: ws://host:port/{stage}.
	WebSocketURL string
	// Token signs a development token for user. Nil when the stack accepts no development tokens.
	Token func(user string) (string, error)
	// Connections lists user's live connections.
	Connections func(ctx context.Context, user string) ([]Connection, error)
	// Emit sends one emit request (protocol.EmitRequest as JSON) and returns once emit answered.
	Emit func(ctx context.Context, request []byte) error
	// Pause is the time between steps of the example run. Default 400 ms.
	Pause time.Duration
	// Logger receives failures of example runs. Default: discarded.
	Logger *slog.Logger
}

// Connection is one live connection, as the console lists it.
type Connection struct {
	ConnectionID string    `json:"connection_id"`
	ConnectedAt  time.Time `json:"connected_at"`
	SourceIP     string    `json:"source_ip,omitempty"`
}

// Console is the console's handler. Close stops example runs still playing.
type Console struct {
	cfg    Config
	mux    *http.ServeMux
	ctx    context.Context
	cancel context.CancelFunc
}

// New returns the console for cfg.
func New(cfg Config) *Console {
	if cfg.Pause == 0 {
		cfg.Pause = 400 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Console{cfg: cfg, mux: http.NewServeMux()}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.mux.Handle("GET /console/api/token", loopbackOnly(http.HandlerFunc(c.token)))
	c.mux.Handle("GET /console/api/connections", loopbackOnly(http.HandlerFunc(c.connections)))
	c.mux.Handle("POST /console/api/play", loopbackOnly(http.HandlerFunc(c.play)))
	c.mux.Handle("GET /console/", c.static())
	return c
}

func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

// Close stops the example runs still playing.
func (c *Console) Close() { c.cancel() }

func (c *Console) static() http.Handler {
	files := http.StripPrefix("/console/", http.FileServer(http.Dir(c.cfg.Dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(filepath.Join(c.cfg.Dir, "index.html")); err != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte("The console is not built. Run `make console` (npm ci and npm run build in web/), then reload.\n"))
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

func (c *Console) token(w http.ResponseWriter, r *http.Request) {
	user, ok := userParam(w, r)
	if !ok {
		return
	}
	if c.cfg.Token == nil {
		writeError(w, http.StatusNotImplemented, "this stack accepts no development tokens (DevHmacSecret is not the local secret); pass ?token= to the console")
		return
	}
	tok, err := c.cfg.Token(user)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "sign token: "+err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]string{"token": tok, "url": c.cfg.WebSocketURL, "user": user})
}

func (c *Console) connections(w http.ResponseWriter, r *http.Request) {
	user, ok := userParam(w, r)
	if !ok {
		return
	}
	if c.cfg.Connections == nil {
		writeError(w, http.StatusNotImplemented, "connections are not listed on this host")
		return
	}
	conns, err := c.cfg.Connections(r.Context(), user)
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	if conns == nil {
		conns = []Connection{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": user, "connections": conns})
}

// userParam reads ?user=, which must be a valid id; it answers 400 itself when not.
func userParam(w http.ResponseWriter, r *http.Request) (string, bool) {
	user := r.URL.Query().Get("user")
	if err := protocol.ValidateID(user); err != nil {
		writeError(w, http.StatusBadRequest, "user: "+err.Error())
		return "", false
	}
	return user, true
}

// loopbackOnly refuses callers from other machines, since the host may listen on a Docker
// bridge address for SAM or LocalStack and these endpoints hand out tokens and send events;
// and requests naming another host, so a web page whose name was rebound to 127.0.0.1 cannot
// read a token either. (No CORS headers are sent: other origins cannot read the answers.)
func loopbackOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isLoopback(r.RemoteAddr) || !isLocalName(r.Host) {
			writeError(w, http.StatusForbidden, "the console API answers loopback callers of 127.0.0.1 or localhost only")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

func isLocalName(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport // no port
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"message": message})
}
