// Package stacktest tests the three functions together, as API Gateway and agents drive them:
// connect, emit and disconnect handlers wired to a real DynamoDB-compatible server and a
// management API that speaks API Gateway's wire format (mgmtapitest), with real event JSON from
// testdata/. DynamoDB faults (latency, resets, an endpoint down, throttling) come from faultproxy
// between the handlers and the server. It holds tests only.
package stacktest
