// Package dynamoserver gives the local stack its DynamoDB: it starts a DynamoDB-compatible
// server (dynalite from the project's pinned npm package, in memory, or moto_server) on a
// loopback port, and creates a template's tables there, with their keys, indexes and TTL, when
// they are missing. Servers it starts die with the process that started them; Exited says
// when one died, and Restart starts it again on its port.
package dynamoserver
