// Package dynamotest starts a real DynamoDB-compatible server for tests: dynalite from the
// project's pinned npm package by default, or moto_server when AGENTBRIDGE_DYNAMODB=moto. The
// server binds 127.0.0.1 on a free port and stops when the test ends.
//
// When the server cannot start, the test is skipped, unless AGENTBRIDGE_REQUIRE_INTEGRATION=1
// (set by `make test` and CI), in which case it fails: an integration test that silently skips
// proves nothing.
package dynamotest
