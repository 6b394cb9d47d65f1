// Package gateway is a local stand-in for an API Gateway WebSocket API: it serves the
// WebSocket endpoint GET /{stage} and the @connections management API, and turns
// what browsers do into the Lambda proxy events that the deployed functions receive
// on AWS (CONNECT, MESSAGE, DISCONNECT), invoking them through an Invoker.
//
// # What it promises
//
//   - The upgrade is decided by the optional REQUEST authorizer and the optional
//     $connect integration before the handshake completes; their status codes,
//     headers and the subprotocol $connect returned reach the client unchanged.
//   - Messages are routed by Config.RouteSelectionExpression ($request.body.<path>),
//     falling back to $default; with no route the client gets AWS's "Forbidden"
//     error frame, never silence.
//   - A route with a MOCK integration (Route.Mock) invokes nothing; a two-way one sends
//     its static response back as one text frame. Like every data message it counts as
//     activity for the idle timeout, so it serves as an application-level keep-alive.
//   - AWS quotas: frames over MaxFrameBytes or messages over MaxMessageBytes close
//     with 1009; idle and maximum-duration timeouts close with 1001.
//   - What is queued for one connection never exceeds SendQueueBytes, pongs included: a
//     client that pings and never reads costs bounded memory (pongs coalesce and are
//     dropped when the queue is full; data posts over it answer 429).
//   - $disconnect runs at most once per connection, with disconnectStatusCode.
//   - The management API answers like AWS's (410 GoneException, 413, 429, 403) so
//     aws-sdk-go-v2's apigatewaymanagementapi client returns its typed errors.
//   - Connection ids look like AWS's and are never reused within the process.
//
// # Concurrency
//
// A Gateway is safe for concurrent use. Each open connection owns exactly one
// reader goroutine; a writer goroutine exists only while that connection has
// queued outbound frames, and frames to one connection are written in the order
// they were queued. Integrations for messages run asynchronously, at most
// maxInflightPerConn at a time per connection.
//
// # Where to start
//
// gateway.go holds New, Shutdown and ServeForbidden; handshake.go the upgrade path
// (ServeWebSocket); reader.go, outbox.go and close.go the socket; dispatch.go and
// routes.go the message path; management.go the @connections API (PostToConnection,
// GetConnection, DeleteConnection); errors.go maps every error that leaves the
// package to its HTTP response. The package routes nothing itself: its endpoints are
// http.HandlerFuncs that devhost's router.go mounts on their paths (the management
// handlers read the route's {id}).
package gateway
