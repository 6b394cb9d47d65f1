package client

import (
	"crypto/rand"
	"encoding/base32"

	"github.com/agentbridge/agentbridge/protocol"
)

// eventIDEncoding is the lowercase base32 alphabet emit uses for the ids it assigns.
var eventIDEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// newEventID returns "evt_" and 26 characters of 128 random bits. The client gives every event
// one when it is created and sends the same id on every retry of its request, which is what
// lets a stack with the durable stream store the event once however often it is sent.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return "evt_" + eventIDEncoding.EncodeToString(b[:])
}

// withEventID returns ev with an event id, keeping the caller's when it has one.
func withEventID(ev protocol.Event) protocol.Event {
	if ev.EventID == "" {
		ev.EventID = newEventID()
	}
	return ev
}
