// Package devhost runs a SAM WebSocket stack on one machine from its template: it builds every
// function for the host platform and runs it under the Lambda Runtime API, starts or reuses a
// DynamoDB-compatible server and creates the template's tables there, and serves on one
// loopback port the WebSocket endpoint, the @connections management API and the Lambda Invoke
// API (router.go lists every route). Plain HTTP and TLS share that port, so that
// https://{domainName}/{stage} built from an event points back at the host.
//
// The host holds up against misbehaving clients and dependencies: request bodies have a
// deadline (BodyTimeout), connections that are not WebSockets are capped (MaxConnections),
// a DynamoDB server the host started is restarted on its port when it dies, and a user's
// endpoint is health-checked; when tables had to be recreated the connections whose
// mappings were lost are closed with 1012 (dynamowatch.go).
//
// Start returns once everything answers; Close stops everything Start started, in reverse
// order, closing every socket with $disconnect first. Nothing in this package knows the
// project's own functions: any SAM template with a WebSocket API works.
package devhost
