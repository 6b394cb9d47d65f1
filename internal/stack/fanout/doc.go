// Package fanout fans rendered events out to every live connection of one user through the
// API Gateway Management API.
//
// Each connection gets the events in order; connections are served in parallel, at most
// Options.Parallel at a time. Throttling (429) and server errors (5xx) are retried by the
// management client's retryer (configure it with NewManagementClient). A connection that
// answers 410 Gone is removed from the store, unless it connected less than Options.GoneGrace
// ago: API Gateway also answers 410 while a connection is still inside its $connect. Deliver
// returns only after every post it started has finished, so nothing posts after it returns.
package fanout
