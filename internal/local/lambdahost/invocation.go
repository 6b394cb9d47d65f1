package lambdahost

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"
)

// invocation is one request travelling from a caller through the pool to a
// process and back. Exactly one outcome settles it: the runtime's answer or
// the pool's verdict (timeout, crash), whichever comes first.
type invocation struct {
	id              string
	payload         []byte
	traceID         string
	functionARN     string
	clientContext   string // JSON, already decoded from base64
	cognitoIdentity string // JSON

	// deadline is set by the pool before each hand-off; the channel send
	// publishes it to the Runtime API goroutine.
	deadline time.Time
	// handoff carries, once per hand-off, whether the process took the event.
	handoff chan bool
	result  chan Result
	settled atomic.Bool

	logTail *tailBuffer // the last logTailBytes of its output
}

func newInvocation(payload []byte) *invocation {
	return &invocation{
		id:      newRequestID(),
		payload: payload,
		traceID: newTraceID(),
		handoff: make(chan bool, 1),
		result:  make(chan Result, 1),
		logTail: newTailBuffer(logTailBytes),
	}
}

// settle records r as the outcome unless one is already recorded, and
// reports whether r won.
func (inv *invocation) settle(r Result) bool {
	if !inv.settled.CompareAndSwap(false, true) {
		return false
	}
	inv.result <- r
	return true
}

// appendLog adds one output line to the invocation's log tail.
func (inv *invocation) appendLog(line string) {
	_, _ = inv.logTail.Write([]byte(line + "\n"))
}

func (inv *invocation) logs() []byte { return inv.logTail.Bytes() }

// newRequestID returns a random UUID (version 4), the form of Lambda's ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newTraceID returns an X-Ray trace header value, not sampled.
func newTraceID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Sampled=0", time.Now().Unix(), hex.EncodeToString(b[:]))
}
