// Package protocol defines the agentbridge event protocol shared by agents, the emit function
// and browser clients: the event types an agent emits, the request the emit function accepts,
// the envelope each WebSocket client receives, the delivery report emit returns, and the
// error types a failed emit carries.
//
// The wire format is specified in docs/events.md; this package is its Go form. It holds data
// definitions and limits only: decoding rules (strictness, validation) live with the emit
// function, so agents can build requests without pulling in server code.
package protocol
