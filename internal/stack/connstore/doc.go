// Package connstore stores which WebSocket connections belong to which user, in a DynamoDB
// table keyed by userId (partition) and connectionId (sort), with a keys-only index on
// connectionId for $disconnect and a TTL attribute expiresAt.
//
// Reads of a user's connections are consistent queries of the base table (an index would be
// eventually consistent and could miss a connection made a moment ago) and skip expired rows,
// because $disconnect is best effort and TTL deletion can lag by days. Puts and deletes are
// idempotent. A Store is safe for concurrent use.
package connstore
