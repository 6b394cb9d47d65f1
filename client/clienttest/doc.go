// Package clienttest provides Server, a stand-in for the AWS Lambda Invoke API that plays the
// emit function, for testing agents and tools built on package client without AWS.
//
// Server is a real HTTP server on 127.0.0.1 speaking the Invoke API's wire format, so the
// AWS SDK's Lambda client talks to it unchanged. It decodes each emit request (batch or
// single-event form), records it, and answers with what a Responder says: a delivery
// report, a function error, or an Invoke API error. It checks request shape only, not the
// emit function's full validation. Server is safe for concurrent use.
package clienttest
