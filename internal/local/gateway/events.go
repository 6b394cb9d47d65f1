package gateway

import (
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// requestTimeLayout is requestContext.requestTime's format, e.g. "20/Jan/2024:11:55:00 +0000".
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// requestContext fills what every event of a connection shares. domainName, stage and
// apiId are the real values so that https://{domainName}/{stage} reaches this host.
func (g *Gateway) requestContext(c *conn, routeKey, eventType string, now time.Time) events.APIGatewayWebsocketProxyRequestContext {
	id := requestID()
	rc := events.APIGatewayWebsocketProxyRequestContext{
		RouteKey:          routeKey,
		EventType:         eventType,
		ExtendedRequestID: id,
		RequestTime:       now.UTC().Format(requestTimeLayout),
		MessageDirection:  "IN",
		Stage:             g.cfg.Stage,
		ConnectedAt:       c.connectedAt.UnixMilli(),
		RequestTimeEpoch:  now.UnixMilli(),
		Identity:          c.identity,
		RequestID:         id,
		DomainName:        c.domainName,
		ConnectionID:      c.id,
		APIID:             g.cfg.APIID,
	}
	if c.authorizer != nil {
		rc.Authorizer = c.authorizer
	}
	return rc
}

// connectEvent is the $connect event: handshake headers and query string.
func (g *Gateway) connectEvent(c *conn, r *http.Request, now time.Time) events.APIGatewayWebsocketProxyRequest {
	headers, multi := handshakeHeaders(r)
	query, multiQuery := queryParameters(r)
	return events.APIGatewayWebsocketProxyRequest{
		Headers:                         headers,
		MultiValueHeaders:               multi,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		RequestContext:                  g.requestContext(c, routeConnect, "CONNECT", now),
	}
}

// messageEvent carries one message: no headers, a messageId, the body as a string.
func (g *Gateway) messageEvent(c *conn, routeKey, body string, base64Encoded bool, now time.Time) events.APIGatewayWebsocketProxyRequest {
	rc := g.requestContext(c, routeKey, "MESSAGE", now)
	rc.MessageID = requestID()
	return events.APIGatewayWebsocketProxyRequest{
		RequestContext:  rc,
		Body:            body,
		IsBase64Encoded: base64Encoded,
	}
}

// disconnectEvent carries AWS's fixed small header set and the close status.
func (g *Gateway) disconnectEvent(c *conn, code int, reason string, now time.Time) events.APIGatewayWebsocketProxyRequest {
	headers := map[string]string{
		"Host":            c.domainName,
		"x-api-key":       "",
		"X-Forwarded-For": "",
		"x-restapi":       "",
	}
	multi := make(map[string][]string, len(headers))
	for k, v := range headers {
		multi[k] = []string{v}
	}
	rc := g.requestContext(c, routeDisconnect, "DISCONNECT", now)
	rc.DisconnectStatusCode = int64(code)
	rc.DisconnectReason = &reason
	return events.APIGatewayWebsocketProxyRequest{
		Headers:           headers,
		MultiValueHeaders: multi,
		RequestContext:    rc,
	}
}
