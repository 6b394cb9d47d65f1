package auth

import (
	"net/textproto"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Subprotocol is the WebSocket subprotocol of the agentbridge event stream. A browser that
// cannot set headers offers it together with "bearer.<token>"; the handshake echoes only this
// name, never the token entry.
const Subprotocol = "agentbridge.v1"

// bearerProtocolPrefix marks the subprotocol entry that carries the token.
const bearerProtocolPrefix = "bearer."

// Credentials is what a $connect request presented.
type Credentials struct {
	// Token is the bearer token, "" when none was presented.
	Token string
	// OfferedSubprotocol is true when the client offered Subprotocol, which must then be echoed.
	OfferedSubprotocol bool
}

// FromConnectRequest extracts the bearer token of a $connect event. Sources in order of
// preference: a "bearer.<token>" Sec-WebSocket-Protocol entry, the "token" query parameter,
// an "Authorization: Bearer <token>" header.
func FromConnectRequest(req events.APIGatewayWebsocketProxyRequest) Credentials {
	var c Credentials
	for _, entry := range headerValues(req, "Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(entry, ",") {
			// Only HTTP's optional whitespace separates list entries: an entry padded with
			// other Unicode spaces is not the protocol the client offered, and echoing it
			// would make the browser fail the handshake.
			p = strings.Trim(p, " \t")
			switch {
			case p == Subprotocol:
				c.OfferedSubprotocol = true
			case strings.HasPrefix(p, bearerProtocolPrefix) && c.Token == "":
				c.Token = strings.TrimSpace(p[len(bearerProtocolPrefix):])
			}
		}
	}
	if c.Token == "" {
		c.Token = queryValue(req, "token")
	}
	if c.Token == "" {
		for _, v := range headerValues(req, "Authorization") {
			if scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " "); ok && strings.EqualFold(scheme, "Bearer") {
				c.Token = strings.TrimSpace(tok)
				break
			}
		}
	}
	return c
}

// headerValues returns every value of a header, matched case-insensitively, from both header
// maps of the event (API Gateway fills both; tests and other emulators may fill only one).
func headerValues(req events.APIGatewayWebsocketProxyRequest, name string) []string {
	canonical := textproto.CanonicalMIMEHeaderKey(name)
	for k, vs := range req.MultiValueHeaders {
		if textproto.CanonicalMIMEHeaderKey(k) == canonical && len(vs) > 0 {
			return vs
		}
	}
	for k, v := range req.Headers {
		if textproto.CanonicalMIMEHeaderKey(k) == canonical {
			return []string{v}
		}
	}
	return nil
}

func queryValue(req events.APIGatewayWebsocketProxyRequest, name string) string {
	if vs := req.MultiValueQueryStringParameters[name]; len(vs) > 0 {
		return vs[0]
	}
	return req.QueryStringParameters[name]
}
