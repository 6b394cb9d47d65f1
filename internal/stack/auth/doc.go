// Package auth decides who opens a WebSocket: it finds the bearer token in a $connect request
// (subprotocol, query string or Authorization header) and verifies it as a JWT, yielding the
// user id the connection belongs to.
//
// Verification fails closed. A Verifier accepts only the algorithms its keys allow (HS256 with a
// development secret, RS256/ES256 from a JWKS), requires exp, checks issuer and audience when
// configured, caps the token length before parsing and gives every verification its own
// deadline, so an unknown key id can never hold a $connect until API Gateway's 29 s timeout.
// A Verifier is safe for concurrent use. Nothing here logs a token.
package auth
