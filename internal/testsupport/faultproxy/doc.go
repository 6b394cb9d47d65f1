// Package faultproxy is test support: an HTTP reverse proxy on 127.0.0.1 that forwards requests
// to a real server and, when scripted, misbehaves the way a real upstream or network does:
//
//   - FailNext answers the next requests itself with an error of the upstream's wire format
//     (DynamoDBThrottling is DynamoDB's answer when a table's throughput is exceeded), which a
//     TCP fault proxy could not do;
//   - Delay holds every request before forwarding it (a slow upstream);
//   - ResetConnections ends every request's connection with a TCP reset;
//   - Down and Up stop and restart listening on the same address (an upstream that is gone,
//     then back).
//
// Clear removes every fault. A Proxy is safe for concurrent use.
package faultproxy
