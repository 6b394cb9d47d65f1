package subscribe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/protocol"
)

// HandshakeError is a WebSocket upgrade the server answered with an HTTP status instead of
// 101. 401 and 403 end Run; other statuses are retried.
type HandshakeError struct {
	StatusCode int
	Err        error
}

func (e *HandshakeError) Error() string {
	return fmt.Sprintf("handshake refused with HTTP %d: %v", e.StatusCode, e.Err)
}

func (e *HandshakeError) Unwrap() error { return e.Err }

func (e *HandshakeError) permanent() bool {
	return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
}

// errNoPong ends a connection that stayed silent after a ping.
var errNoPong = errors.New("no answer to ping")

// errToken marks a failure of Config.Token.
var errToken = errors.New("token")

// Run follows the stream until ctx ends and then returns ctx's error. It returns earlier only
// for what retrying cannot fix: an invalid Config, a Config.Token error, or a *HandshakeError
// with status 401 or 403.
func Run(ctx context.Context, cfg Config, h Handler) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	cfg = cfg.withDefaults()
	t := newTracker(cfg)
	bo := backoff{min: cfg.MinBackoff, max: cfg.MaxBackoff}
	for {
		received, err := connection(ctx, cfg, t, h)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var hs *HandshakeError
		if errors.Is(err, errToken) || errors.As(err, &hs) && hs.permanent() {
			return err
		}
		if received {
			bo.reset()
		}
		wait := bo.next()
		h(Update{Kind: Disconnected, Err: err, Retry: wait, Position: t.position})
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// connection runs one connection until it fails or ctx ends. received reports whether any
// frame arrived, which resets the backoff.
func connection(ctx context.Context, cfg Config, t *tracker, h Handler) (received bool, err error) {
	conn, err := dial(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer conn.CloseNow()
	defer t.disconnected()
	done := make(chan struct{})
	defer close(done)
	frames, readErr := readFrames(conn, done)
	write := func(msg any) error {
		data, err := json.Marshal(msg)
		if err != nil {
			return fmt.Errorf("encode %T: %w", msg, err)
		}
		wctx, cancel := context.WithTimeout(ctx, cfg.WriteTimeout)
		defer cancel()
		if err := conn.Write(wctx, websocket.MessageText, data); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		return nil
	}
	if err := write(t.request(time.Now())); err != nil {
		return false, err
	}
	h(Update{Kind: Connected, Position: t.position})
	ping := time.NewTicker(cfg.PingInterval)
	defer ping.Stop()
	var pongBy time.Time // zero unless a ping awaits any answer
	for {
		wake := earliest(pongBy, t.deadline(cfg.ResumeTimeout))
		select {
		case <-ctx.Done():
			_ = conn.Close(websocket.StatusNormalClosure, "")
			return received, ctx.Err()
		case err := <-readErr:
			return received, fmt.Errorf("read: %w", err)
		case data := <-frames:
			received, pongBy = true, time.Time{}
			updates, reply := t.frame(data, time.Now())
			for _, u := range updates {
				h(u)
			}
			if reply != nil {
				if err := write(reply); err != nil {
					return received, err
				}
			}
		case <-ping.C:
			if err := write(map[string]string{"action": protocol.ActionPing}); err != nil {
				return received, err
			}
			if pongBy.IsZero() {
				pongBy = time.Now().Add(cfg.PongTimeout)
			}
		case now := <-wake:
			if !pongBy.IsZero() && !now.Before(pongBy) {
				return received, fmt.Errorf("%w within %v", errNoPong, cfg.PongTimeout)
			}
			for _, u := range t.expire(now, cfg.ResumeTimeout) {
				h(u)
			}
		}
	}
}

// dial asks for a token and opens a connection offering it beside the agentbridge subprotocol.
func dial(ctx context.Context, cfg Config) (*websocket.Conn, error) {
	tok, err := cfg.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errToken, err)
	}
	dctx, cancel := context.WithTimeout(ctx, cfg.DialTimeout)
	defer cancel()
	conn, resp, err := websocket.Dial(dctx, cfg.URL, &websocket.DialOptions{
		Subprotocols: []string{Subprotocol, "bearer." + tok},
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, &HandshakeError{StatusCode: resp.StatusCode, Err: err}
		}
		return nil, fmt.Errorf("dial: %w", err)
	}
	conn.SetReadLimit(cfg.ReadLimit)
	return conn, nil
}

// readFrames reads messages on its own goroutine until the connection fails or closes, or
// done is closed. The read uses no context: cancelling one would close the connection before
// Close could send status 1000.
func readFrames(conn *websocket.Conn, done <-chan struct{}) (<-chan []byte, <-chan error) {
	frames := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				readErr <- err
				return
			}
			select {
			case frames <- data:
			case <-done:
				return
			}
		}
	}()
	return frames, readErr
}

// earliest returns a channel that fires at the earlier non-zero time, or nil (never).
func earliest(a, b time.Time) <-chan time.Time {
	switch {
	case a.IsZero() && b.IsZero():
		return nil
	case a.IsZero():
		a = b
	case !b.IsZero() && b.Before(a):
		a = b
	}
	return time.After(time.Until(a))
}
