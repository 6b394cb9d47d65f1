// Package subscribe follows one user's agentbridge stream over its WebSocket: the client side
// of protocol v2, for terminals, tests and services (agentbridge watch is built on it). It
// depends on the protocol package and a WebSocket library only, never on server code.
//
// Run connects with the subprotocols agentbridge.v1 and bearer.<token> and, until its context
// ends, keeps a position: the highest offset below which every event has been handled.
//
// Promises, in stream mode (Config.RunID empty):
//   - On every connect and reconnect it sends {"action":"resume","after":position}, so events
//     stored while it was away arrive before it goes on.
//   - Each event reaches the Handler at most once (offsets are deduplicated with a set, since
//     concurrent requests may deliver live slightly out of order) and in offset order: an
//     event beyond position+1 is held, and a resume after position is sent at once to fill
//     the gap. A complete "resumed" answer through M settles every offset up to M (offsets may
//     be skipped); an incomplete one is continued after its through. A gap the stack cannot
//     fill (no answer within Config.ResumeTimeout, or the stack refusing the resume twice from one
//     position; a first refusal, such as an answer cut short, is asked again at once) is
//     reported as a Gap update and passed. One exception to the order: an event whose offset
//     was settled as skipped but which still arrives (a concurrent request delivering late)
//     is delivered when it comes, not dropped. Offsets up to Config.After are never delivered;
//     the set remembers the last few thousand offsets, enough for any repeat.
//   - "History before this point is gone" (reason expired) is reported as HistoryGone.
//
// In run mode (Config.RunID set) it sends {"action":"replay","run_id":R,"after":N} instead,
// N being the highest offset of that run handled, continues incomplete answers, and then
// passes on live events of that run only, deduplicated by offset. Offsets of one run are not
// contiguous, so run mode cannot detect gaps; a reconnect's replay recovers what was missed.
//
// Connections: a dropped connection is redialled after capped exponential backoff with full
// jitter (Config.MinBackoff, Config.MaxBackoff), reset once a connection has received a frame.
// {"action":"ping"} is sent every Config.PingInterval to stay under API Gateway's idle
// timeout; a connection that then receives nothing for Config.PongTimeout is dropped and
// redialled. A handshake refused with 401 or 403 ends Run with a *HandshakeError: retrying the
// same credentials cannot help (Config.Token is asked again on every dial, so a source that
// mints tokens gets a fresh one each time).
//
// Concurrency: Run calls the Handler from one goroutine, in order; the Handler must not block
// for long, since frames wait meanwhile. Run returns the context's error once it ends, after
// closing the connection with status 1000.
package subscribe
