package gateway

import (
	"context"
	"net"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// connState is where a connection is in its life. Only open connections accept
// management calls; connecting ones are still inside $connect and answer 410, as on AWS.
type connState int

const (
	stateConnecting connState = iota
	stateUpgrading            // $connect said yes; the 101 response is being written
	stateOpen
	stateClosing
)

// maxInflightPerConn bounds concurrent integrations per connection; the reader waits
// for a slot, so a flood of messages meets backpressure instead of unbounded goroutines.
const maxInflightPerConn = 16

// conn is one client connection: what events need to describe it, and its socket.
type conn struct {
	id          string
	connectedAt time.Time
	domainName  string
	identity    events.APIGatewayRequestIdentity
	authorizer  map[string]any // requestContext.authorizer; nil without an authorizer
	inflight    chan struct{}
	upgraded    chan struct{} // closed once the upgrade succeeded or failed

	netConn net.Conn // set once the upgrade completed
	out     outbox

	mu            sync.Mutex
	state         connState
	lastActive    time.Time
	lastData      time.Time // last inbound data frame; drives the idle timeout
	closeCode     int
	closeReason   string
	closeDeadline time.Time
}

func newConn(id, domain string, identity events.APIGatewayRequestIdentity, now time.Time) *conn {
	return &conn{
		id:          id,
		connectedAt: now,
		domainName:  domain,
		identity:    identity,
		inflight:    make(chan struct{}, maxInflightPerConn),
		upgraded:    make(chan struct{}),
		lastActive:  now,
		lastData:    now,
	}
}

// isOpen reports whether the connection takes management calls.
func (c *conn) isOpen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == stateOpen
}

// setState moves the connection on; leaving stateUpgrading releases awaitUpgrade.
func (c *conn) setState(s connState) {
	c.mu.Lock()
	prev := c.state
	c.state = s
	c.mu.Unlock()
	if prev == stateUpgrading {
		close(c.upgraded)
	}
}

// awaitUpgrade waits while the 101 response is being written: a client may post to
// itself as soon as it sees the 101, before the server side has recorded the success.
func (c *conn) awaitUpgrade(ctx context.Context) {
	c.mu.Lock()
	upgrading := c.state == stateUpgrading
	c.mu.Unlock()
	if upgrading {
		select {
		case <-c.upgraded:
		case <-ctx.Done():
		}
	}
}

func (c *conn) touch(now time.Time, data bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastActive = now
	if data {
		c.lastData = now
	}
}

func (c *conn) lastActiveAt() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastActive
}
