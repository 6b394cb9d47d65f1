// Package stacktest tests the three functions together, as API Gateway and agents drive them:
// connect, emit and disconnect handlers wired to a real DynamoDB-compatible server and a
// management API that speaks API Gateway's wire format, with real event JSON from testdata/.
// It holds tests only.
package stacktest
