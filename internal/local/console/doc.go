// Package console serves the local host's live console: the built page (web/console/dist) at
// /console/, and the development endpoints it uses, for loopback callers only:
//
//	GET  /console/api/token?user=ID        a development token and the WebSocket URL
//	GET  /console/api/connections?user=ID  the user's live connections
//	POST /console/api/play?user=ID         plays the example run for the user
//
// None of this exists in the deployed stack: browsers there get tokens from your identity
// provider, and only agent runtimes may invoke emit.
package console
