package auth_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

// connectRequest builds a $connect event the way API Gateway fills it: every header in both
// maps, the query string in both maps.
func connectRequest(headers map[string]string, query map[string]string) events.APIGatewayWebsocketProxyRequest {
	req := events.APIGatewayWebsocketProxyRequest{Headers: map[string]string{}, MultiValueHeaders: map[string][]string{}}
	for k, v := range headers {
		req.Headers[k] = v
		req.MultiValueHeaders[k] = []string{v}
	}
	if query != nil {
		req.QueryStringParameters = map[string]string{}
		req.MultiValueQueryStringParameters = map[string][]string{}
		for k, v := range query {
			req.QueryStringParameters[k] = v
			req.MultiValueQueryStringParameters[k] = []string{v}
		}
	}
	return req
}

func TestFromConnectRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		headers   map[string]string
		query     map[string]string
		wantToken string
		wantEcho  bool
	}{
		{"subprotocol", map[string]string{"Sec-WebSocket-Protocol": "agentbridge.v1, bearer.tok-sp"}, nil, "tok-sp", true},
		{"subprotocol, token first", map[string]string{"Sec-WebSocket-Protocol": "bearer.tok-sp, agentbridge.v1"}, nil, "tok-sp", true},
		{"subprotocol, no spaces", map[string]string{"Sec-WebSocket-Protocol": "agentbridge.v1,bearer.tok-sp"}, nil, "tok-sp", true},
		{"subprotocol, lower-case header name", map[string]string{"sec-websocket-protocol": "agentbridge.v1, bearer.tok-sp"}, nil, "tok-sp", true},
		{"bearer entry without agentbridge.v1: token read, nothing echoed", map[string]string{"Sec-WebSocket-Protocol": "bearer.tok-sp"}, nil, "tok-sp", false},
		{"bearer entry with another protocol: nothing echoed", map[string]string{"Sec-WebSocket-Protocol": "chat, bearer.tok-sp"}, nil, "tok-sp", false},
		{"protocol name differs by case: nothing echoed", map[string]string{"Sec-WebSocket-Protocol": "AgentBridge.v1, bearer.tok-sp"}, nil, "tok-sp", false},
		{"protocol name as prefix: nothing echoed", map[string]string{"Sec-WebSocket-Protocol": "agentbridge.v10, bearer.tok-sp"}, nil, "tok-sp", false},
		{"only agentbridge.v1", map[string]string{"Sec-WebSocket-Protocol": "agentbridge.v1"}, nil, "", true},
		{"two bearer entries: first wins", map[string]string{"Sec-WebSocket-Protocol": "agentbridge.v1, bearer.first, bearer.second"}, nil, "first", true},
		{"query", nil, map[string]string{"token": "tok-q"}, "tok-q", false},
		{"header", map[string]string{"Authorization": "Bearer tok-h"}, nil, "tok-h", false},
		{"header, scheme in lower case", map[string]string{"authorization": "bearer tok-h"}, nil, "tok-h", false},
		{"header, Basic scheme ignored", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"}, nil, "", false},
		{"header without scheme ignored", map[string]string{"Authorization": "tok-h"}, nil, "", false},
		{"subprotocol beats query and header", map[string]string{"Sec-WebSocket-Protocol": "agentbridge.v1, bearer.tok-sp", "Authorization": "Bearer tok-h"}, map[string]string{"token": "tok-q"}, "tok-sp", true},
		{"query beats header", map[string]string{"Authorization": "Bearer tok-h"}, map[string]string{"token": "tok-q"}, "tok-q", false},
		{"empty bearer entry falls through to query", map[string]string{"Sec-WebSocket-Protocol": "agentbridge.v1, bearer."}, map[string]string{"token": "tok-q"}, "tok-q", true},
		{"other query names ignored", nil, map[string]string{"access_token": "tok-q", "Token": "tok-q2"}, "", false},
		{"nothing", nil, nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := auth.FromConnectRequest(connectRequest(tt.headers, tt.query))
			if got.Token != tt.wantToken || got.OfferedSubprotocol != tt.wantEcho {
				t.Errorf("got %+v, want token %q, echo %v", got, tt.wantToken, tt.wantEcho)
			}
		})
	}
}

// FuzzTokenExtraction: arbitrary header and query values never panic; a token taken from the
// subprotocol form never holds a list separator or surrounding whitespace; the protocol is
// echoed only when exactly its entry was offered.
func FuzzTokenExtraction(f *testing.F) {
	f.Add("agentbridge.v1, bearer.abc", "", "")
	f.Add("bearer.abc", "q", "Bearer h")
	f.Add("agentbridge.v1,,bearer. x ,", "", "")
	f.Add(" agentbridge.v1 ", "", "bearer")
	f.Add("agentbridge.v1\u00a0, bearer.a", "", "")
	f.Fuzz(func(t *testing.T, protocol, query, authz string) {
		headers := map[string]string{"Sec-WebSocket-Protocol": protocol}
		if authz != "" {
			headers["Authorization"] = authz
		}
		var q map[string]string
		if query != "" {
			q = map[string]string{"token": query}
		}
		got := auth.FromConnectRequest(connectRequest(headers, q))
		offered := false
		bearer := false
		for _, entry := range strings.Split(protocol, ",") {
			entry = strings.Trim(entry, " \t")
			offered = offered || entry == auth.Subprotocol
			bearer = bearer || (strings.HasPrefix(entry, "bearer.") && strings.TrimSpace(entry[len("bearer."):]) != "")
		}
		if got.OfferedSubprotocol != offered {
			t.Fatalf("OfferedSubprotocol = %v for %q, want %v", got.OfferedSubprotocol, protocol, offered)
		}
		if bearer && got.Token == "" {
			t.Fatalf("no token from %q", protocol)
		}
		fromSubprotocol := bearer || (query == "" && authz == "")
		if fromSubprotocol && (strings.Contains(got.Token, ",") || got.Token != strings.TrimSpace(got.Token)) {
			t.Fatalf("subprotocol token %q from %q", got.Token, protocol)
		}
	})
}
