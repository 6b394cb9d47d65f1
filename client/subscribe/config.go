package subscribe

import (
	"context"
	"errors"
	"time"
)

// Subprotocol is the WebSocket subprotocol of the agentbridge stream; the bearer token rides
// beside it as "bearer.<token>", since browsers cannot set headers on a WebSocket.
const Subprotocol = "agentbridge.v1"

// Config configures Run. URL and Token are required; every other zero field takes the default
// its comment names (applied in withDefaults).
type Config struct {
	// URL is the WebSocket endpoint: wss://{api}.execute-api.{region}.amazonaws.com/{stage},
	// or ws://127.0.0.1:3001/dev for agentbridge dev.
	URL string
	// Token returns the bearer token for a dial; it is called before every dial.
	Token func(context.Context) (string, error)
	// After is the starting position: events with a greater offset are delivered. 0 (the
	// default) asks for everything the stream still holds.
	After int64
	// RunID selects run mode: replay that run, then follow its live events.
	RunID string
	// PingInterval is how often {"action":"ping"} is sent. Default 4m (API Gateway closes
	// connections idle for 10m).
	PingInterval time.Duration
	// PongTimeout is how long a connection may stay silent after a ping before it is dropped
	// and redialled. Default 30s.
	PongTimeout time.Duration
	// ResumeTimeout is how long a gap waits for its resume's answer before it is passed as a
	// Gap. Default 10s.
	ResumeTimeout time.Duration
	// MinBackoff is the first reconnect delay's ceiling; each failure doubles it up to
	// MaxBackoff, and the delay is drawn uniformly below the ceiling (full jitter).
	// Defaults 500ms and 30s.
	MinBackoff, MaxBackoff time.Duration
	// DialTimeout bounds one handshake and WriteTimeout one outgoing message. Default 10s each.
	DialTimeout, WriteTimeout time.Duration
	// ReadLimit is the largest message accepted. Default 256 KiB (envelopes are at most
	// 128 KiB, API Gateway's message limit).
	ReadLimit int64
}

func (c Config) withDefaults() Config {
	setDuration(&c.PingInterval, 4*time.Minute)
	setDuration(&c.PongTimeout, 30*time.Second)
	setDuration(&c.ResumeTimeout, 10*time.Second)
	setDuration(&c.MinBackoff, 500*time.Millisecond)
	setDuration(&c.MaxBackoff, 30*time.Second)
	setDuration(&c.DialTimeout, 10*time.Second)
	setDuration(&c.WriteTimeout, 10*time.Second)
	if c.ReadLimit <= 0 {
		c.ReadLimit = 256 << 10
	}
	c.MaxBackoff = max(c.MaxBackoff, c.MinBackoff)
	return c
}

func (c Config) validate() error {
	switch {
	case c.URL == "":
		return errors.New("subscribe: Config.URL is required")
	case c.Token == nil:
		return errors.New("subscribe: Config.Token is required")
	case c.After < 0:
		return errors.New("subscribe: Config.After must be >= 0")
	}
	return nil
}

func setDuration(p *time.Duration, def time.Duration) {
	if *p <= 0 {
		*p = def
	}
}

// StaticToken returns a Config.Token that always answers tok.
func StaticToken(tok string) func(context.Context) (string, error) {
	return func(context.Context) (string, error) { return tok, nil }
}
