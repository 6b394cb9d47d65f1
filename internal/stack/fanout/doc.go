// Package fanout fans rendered events out to every live connection of one user through the
// API Gateway Management API, within the invocation's deadline, and reports every message.
//
// Contract:
//   - Order: each connection gets the request's messages in order. Connections are served in
//     parallel, at most Options.Parallel at a time.
//   - Deadline: Deliver works to ctx's deadline less Options.DeadlineMargin and returns by
//     then; messages not tried are counted not_attempted, a post cut off in flight failed.
//   - A slow connection costs itself: a 429 (its buffer is full) is retried with backoff from
//     that connection's throttle budget for the request (Options.ThrottleBudget); once spent,
//     its remaining messages are skipped and counted throttled. Other connections go on at
//     full speed (a throttled connection holds its parallel slot while it backs off), and
//     nothing is shared between Deliver calls but the HTTP pool. 5xx are
//     retried a little by the management client's retryer (NewManagementClient), which leaves
//     429 to the budget.
//   - Gone: a connection that answers 410 has its remaining messages counted gone and is
//     removed from the store, unless it connected less than Options.GoneGrace ago (API Gateway
//     also answers 410 while a connection is still inside its $connect): then it is kept, and
//     once open it catches up from the stream, which already holds the events.
//   - Bound: more than Options.MaxDeliveries (events x connections) is refused with a
//     *TooLargeError before anything is sent, unless the request holds one event.
//   - Deliver returns only after every post it started has finished, so nothing posts after it
//     returns.
package fanout
