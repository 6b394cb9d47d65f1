// Package client lets an agent emit agentbridge events in one line.
//
// A Client invokes the emit function through the AWS SDK's Lambda client, so the SDK's standard
// endpoint settings (AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL, or lambda.Options.BaseEndpoint)
// point it at AWS or at the local host (`agentbridge dev`, http://127.0.0.1:3001). Start with
// New and Client.Run; a Run numbers one agent run's events and sends them in order:
//
//	c := client.New(lambda.NewFromConfig(cfg), "EmitFunction", client.Config{})
//	run := c.Run("alice", "run-1", client.RunOptions{AgentName: "researcher"})
//	run.Started(ctx, question)
//	run.Thinking(ctx, "Looking this up…")
//	run.Completed(ctx, answer)
//
// Promises:
//   - seq: each Run numbers its events from 0, strictly increasing. A send that fails still
//     consumes its number, so seq may have gaps but never repeats or goes back.
//   - Order: a Run sends one invoke at a time, and sends happen in seq order even when many
//     goroutines share the Run. Synchronous invokes therefore reach browsers in seq order.
//     Asynchronous invokes (Config.Async) are queued by Lambda, which does not keep their
//     order; browsers must order by seq.
//   - Batching (Config.BatchSize > 1): event calls queue the event and return. A batch is sent
//     when it is full (by the call that filled it), when Config.BatchDelay has passed, or on
//     Flush, Close, Completed or Failed. An error of a background send is returned by the
//     Run's next call, Flush or Close: it is never dropped silently.
//   - Event ids: every event gets an event_id ("evt_" and 26 base32 characters) when it is
//     created, unless the caller set one; every retry of its request sends the same id, so a
//     stack with the durable stream stores the event once.
//   - Reports and retries: a delivery report is a success even when some messages were not
//     delivered (throttled, gone, failed, not attempted): the client never resends it, since
//     that would deliver again to the tabs that had it. Failures are *Error values (use
//     errors.As). ValidationError, PayloadTooLarge and FanoutTooLarge are never retried; a
//     FanoutTooLarge request (more events x connections than one invoke takes on; nothing was
//     sent) is sent again as two halves, in order, split further as needed. A request that
//     cannot have been delivered (ServiceUnavailable, Invoke API throttling and 5xx, a
//     connection that could not be made) is retried with exponential backoff and full jitter,
//     at most Config.MaxAttempts times. A request whose outcome is unknown (an invoke that
//     timed out, a function that crashed, a connection lost after sending) is returned with
//     Error.OutcomeUnknown set and not resent, unless Config.ResendUnknownOutcome. The client
//     owns retrying: it turns the SDK's own retryer off for its invokes, so one budget bounds
//     the attempts. Obviously bad calls (an empty user or run id) fail with a ValidationError
//     without an invoke.
//
// Concurrency: Client and Run are safe for concurrent use. Package clienttest provides an
// Invoke API stand-in for testing agents without AWS.
package client
