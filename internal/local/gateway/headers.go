package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// awsSpelling restores the spelling browsers send and AWS passes on: Go canonicalises
// "Sec-WebSocket-Key" to "Sec-Websocket-Key", and handlers look headers up by the
// former.
var awsSpelling = map[string]string{
	"Sec-Websocket-Key":        "Sec-WebSocket-Key",
	"Sec-Websocket-Version":    "Sec-WebSocket-Version",
	"Sec-Websocket-Extensions": "Sec-WebSocket-Extensions",
	"Sec-Websocket-Protocol":   "Sec-WebSocket-Protocol",
}

// hopByHop headers are consumed by API Gateway and never reach the integration.
var hopByHop = map[string]bool{"Connection": true, "Upgrade": true}

// handshakeHeaders returns the CONNECT event's headers: the client's, plus the ones API
// Gateway adds (Host, X-Amzn-Trace-Id, X-Forwarded-*).
func handshakeHeaders(r *http.Request) (map[string]string, map[string][]string) {
	multi := map[string][]string{}
	for k, vs := range r.Header {
		if hopByHop[k] {
			continue
		}
		if s, ok := awsSpelling[k]; ok {
			k = s
		}
		multi[k] = append([]string(nil), vs...)
	}
	multi["Host"] = []string{r.Host}
	multi["X-Amzn-Trace-Id"] = []string{traceID(time.Now())}
	multi["X-Forwarded-For"] = []string{forwardedFor(r)}
	multi["X-Forwarded-Port"] = []string{localPort(r)}
	multi["X-Forwarded-Proto"] = []string{proto(r)}
	return lastValues(multi), multi
}

// queryParameters returns the query string maps, nil when there is no query (AWS then
// omits both keys).
func queryParameters(r *http.Request) (map[string]string, map[string][]string) {
	q := r.URL.Query()
	if len(q) == 0 {
		return nil, nil
	}
	return lastValues(q), map[string][]string(q)
}

// lastValues collapses multi-value maps the way API Gateway fills single-value maps.
func lastValues(m map[string][]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, vs := range m {
		if len(vs) > 0 {
			out[k] = vs[len(vs)-1]
		}
	}
	return out
}

// identityOf is requestContext.identity: the peer address and its User-Agent.
func identityOf(r *http.Request) events.APIGatewayRequestIdentity {
	return events.APIGatewayRequestIdentity{SourceIP: sourceIP(r), UserAgent: r.UserAgent()}
}

func sourceIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func forwardedFor(r *http.Request) string {
	if prior := r.Header.Get("X-Forwarded-For"); prior != "" {
		return prior + ", " + sourceIP(r)
	}
	return sourceIP(r)
}

func localPort(r *http.Request) string {
	if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, port, err := net.SplitHostPort(addr.String()); err == nil {
			return port
		}
	}
	if r.TLS != nil {
		return "443"
	}
	return "80"
}

func proto(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// traceID has X-Ray's form, Root=1-{epoch seconds, hex}-{96 random bits, hex}.
func traceID(now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", now.Unix(), hex.EncodeToString(b[:]))
}

// parseIdentitySource splits "route.request.header.X" or "route.request.querystring.X".
func parseIdentitySource(src string) (kind, name string, ok bool) {
	rest, ok := strings.CutPrefix(src, "route.request.")
	if !ok {
		return "", "", false
	}
	kind, name, ok = strings.Cut(rest, ".")
	if !ok || name == "" || (kind != "header" && kind != "querystring") {
		return "", "", false
	}
	return kind, name, true
}

// identityPresent reports whether every identity source has a non-empty value.
func identityPresent(sources []string, h http.Header, q url.Values) bool {
	for _, src := range sources {
		kind, name, _ := parseIdentitySource(src)
		v := q.Get(name)
		if kind == "header" {
			v = h.Get(name)
		}
		if v == "" {
			return false
		}
	}
	return true
}

// upgradeHeaders are the $connect response headers to copy into the 101 response,
// without those the upgrade itself writes.
func upgradeHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		switch k {
		case "Connection", "Upgrade", "Sec-Websocket-Accept", "Content-Length", "Transfer-Encoding":
			continue
		}
		out[k] = vs
	}
	return out
}
