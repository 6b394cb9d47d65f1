// Package eventstream is the durable stream of each user's events: emit appends every event here
// before it is fanned out, and the stream function reads it back for resume and run replay.
//
// Contract:
//   - Every stored event has an offset, an integer that strictly increases across all events of
//     one user and is never reused. Offsets come from a per-user head item (UpdateItem ADD
//     reserves one block per request, at the same time as the request's event ids are looked
//     up), so offsets may be skipped (a reserved offset whose write failed, or one a duplicate
//     left unused while another request reserved after it) but never repeat.
//   - A resume's Through never passes an offset that a request in flight may still write:
//     missing offsets count as skipped only once their reservation is older than
//     Options.InFlight. Without that rule a tab could be told it is complete while an event
//     below Through is still on its way, and lose it for good by leaving before it arrives.
//   - At most one event per user and event id. An append whose event id is already held stores
//     nothing and returns the stored envelope (same event id, same offset, same timestamp).
//   - Reads are strongly consistent and never return an event older than the retention period,
//     whether or not DynamoDB's TTL has deleted it yet.
//
// Table layout (StreamTable in template.yaml; partition key userId, sort key sk, both S):
//   - event item: sk "e#<event id>", attributes offset (N), runKey (S, "<run id> <offset as 20
//     digits>"), envelope (S, the JSON every tab receives), expiresAt (N, epoch seconds, TTL),
//     reservedAt (N, epoch ms: when its offset was reserved).
//     The item is its own idempotency marker: one conditional PutItem
//     (attribute_not_exists(sk)) writes event and marker at once, so no crash can leave half of
//     an event visible. (DynamoDB's TransactWriteItems would do the same for two items at twice
//     the cost, and the dynalite server the local host runs does not implement it.)
//   - local index offset-index (userId, offset): resume, in offset order.
//   - local index run-index (userId, runKey): replay of one run, in offset order. The space in
//     runKey cannot occur in an id, so one run's keys never interleave with another run's.
//   - head item: sk "head", attributes lastOffset (N) and reservedAt (N, epoch ms); never
//     expires, so no offset is ever handed out twice.
//   - owner items: userId "connection <connection id>", sk "owner", attribute owner (S): which
//     user a WebSocket connection belongs to, written by $connect. The space keeps them apart
//     from every user's partition (user ids contain no whitespace), and unlike the connections
//     table's global index they can be read with strong consistency right after $connect.
//
// Local indexes make replay strongly consistent; their price is that one user's items are
// capped at 10 GB, which the retention period keeps far away.
package eventstream
