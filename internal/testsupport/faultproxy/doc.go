// Package faultproxy is test support: an HTTP reverse proxy on 127.0.0.1 that forwards requests
// to a real server and, when scripted, answers the next requests itself with an error of the
// upstream's wire format instead. It lets a test put DynamoDB throttling in front of a real
// DynamoDB-compatible server, where a TCP fault proxy could only delay or cut connections.
//
// Start with New and FailNext; DynamoDBThrottling is the error DynamoDB answers when a table's
// throughput is exceeded. A Proxy is safe for concurrent use.
package faultproxy
