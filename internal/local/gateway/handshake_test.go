package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

// Trap: opening the socket before $connect returned; 410 for a connection inside $connect.
func TestUpgradeWaitsForConnect(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rec := newRecorder(map[string]handlerFunc{
		"connect": func(ctx context.Context, _ []byte) (lambdahost.Result, error) {
			<-release
			return lambdahost.Result{Payload: []byte(`{"statusCode":200}`)}, nil
		},
	})
	f := start(t, Config{Routes: lifecycleRoutes()}, rec)
	dialed := make(chan error, 1)
	go func() {
		c, _, err := websocket.Dial(testCtx(t), f.stageURL(), nil)
		if err == nil {
			defer c.CloseNow()
		}
		dialed <- err
	}()
	id := rec.wait(t, "connect").event(t).RequestContext.ConnectionID

	select {
	case err := <-dialed:
		t.Fatalf("handshake completed while $connect was running (err %v)", err)
	default:
	}
	if n := f.gw.ConnectionCount(); n != 0 {
		t.Fatalf("ConnectionCount during $connect = %d", n)
	}
	_, err := f.management("/local").GetConnection(testCtx(t), getInput(id))
	assertGone(t, err)

	close(release)
	if err := <-dialed; err != nil {
		t.Fatalf("dial after $connect returned: %v", err)
	}
}

// Traps: answering 403 where the handler said 401; dropping headers $connect returned.
func TestConnectRefusalPassesThrough(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			rec := newRecorder(map[string]handlerFunc{"connect": proxy(events.APIGatewayProxyResponse{
				StatusCode: status,
				Headers:    map[string]string{"X-Reason": "token expired"},
				Body:       `{"error":"nope"}`,
			})})
			f := start(t, Config{Routes: lifecycleRoutes()}, rec)
			_, resp, err := websocket.Dial(testCtx(t), f.stageURL(), nil)
			if err == nil {
				t.Fatal("handshake succeeded")
			}
			if resp == nil || resp.StatusCode != status {
				t.Fatalf("response %v, want %d", resp, status)
			}
			if got := resp.Header.Get("X-Reason"); got != "token expired" {
				t.Errorf("X-Reason = %q", got)
			}
			if f.gw.ConnectionCount() != 0 {
				t.Error("connection registered")
			}
		})
	}
}

func TestConnectIntegrationFailure(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		handler handlerFunc
		status  int
	}{
		"function error": {func(context.Context, []byte) (lambdahost.Result, error) {
			return lambdahost.Result{Payload: []byte(`{"errorMessage":"boom","errorType":"error"}`), FunctionError: "Unhandled"}, nil
		}, http.StatusBadGateway},
		"malformed response": {func(context.Context, []byte) (lambdahost.Result, error) {
			return lambdahost.Result{Payload: []byte(`"connected"`)}, nil
		}, http.StatusBadGateway},
		"invoke error": {func(context.Context, []byte) (lambdahost.Result, error) {
			return lambdahost.Result{}, errors.New("no such function")
		}, http.StatusBadGateway},
		"timeout": {func(ctx context.Context, _ []byte) (lambdahost.Result, error) {
			<-ctx.Done()
			return lambdahost.Result{}, ctx.Err()
		}, http.StatusGatewayTimeout},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(map[string]handlerFunc{"connect": tc.handler})
			f := start(t, Config{Routes: lifecycleRoutes(), IntegrationTimeout: 200 * time.Millisecond}, rec)
			_, resp, err := websocket.Dial(testCtx(t), f.stageURL(), nil)
			if err == nil || resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("err %v response %v, want %d", err, resp, tc.status)
			}
		})
	}
}

// Trap: a missing $connect route answered with 502 although it is optional.
func TestConnectRouteOptional(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: map[string]Route{routeDefault: {Function: "default"}}}, newRecorder(nil))
	c := f.dial(t, nil)
	if err := c.Write(testCtx(t), websocket.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if ev := f.rec.wait(t, "default").event(t); ev.Body != "hi" {
		t.Errorf("body %q", ev.Body)
	}
}

// Trap: echoing the client's first subprotocol, or dropping the one $connect returned.
func TestSubprotocolOnlyFromConnect(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		headers map[string]string
		want    string
	}{
		"none returned": {nil, ""},
		"second offer":  {map[string]string{"Sec-WebSocket-Protocol": "agent.v2", "X-Session": "s1"}, "agent.v2"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(map[string]handlerFunc{"connect": proxy(events.APIGatewayProxyResponse{StatusCode: 200, Headers: tc.headers})})
			f := start(t, Config{Routes: lifecycleRoutes()}, rec)
			c, resp, err := websocket.Dial(testCtx(t), f.stageURL(), &websocket.DialOptions{Subprotocols: []string{"agent.v1", "agent.v2"}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			if got := c.Subprotocol(); got != tc.want {
				t.Errorf("subprotocol %q, want %q", got, tc.want)
			}
			if got := resp.Header.Get("X-Session"); got != tc.headers["X-Session"] {
				t.Errorf("X-Session = %q", got)
			}
			ev := rec.wait(t, "connect").event(t)
			if got := ev.Headers["Sec-WebSocket-Protocol"]; got != "agent.v1,agent.v2" {
				t.Errorf("connect event Sec-WebSocket-Protocol = %q", got)
			}
		})
	}
}

func TestPlainGetIsNotAConnect(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes()}, newRecorder(nil))
	resp := mustHTTP(t, mustRequest(t, http.MethodGet, f.srv.URL+"/local", nil))
	if resp.StatusCode != http.StatusUpgradeRequired {
		t.Errorf("status %d", resp.StatusCode)
	}
	if n := f.rec.count("connect"); n != 0 {
		t.Errorf("$connect invoked %d times", n)
	}
}

func TestAuthorizer(t *testing.T) {
	t.Parallel()
	allow := `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"*"}]},"context":{"tenant":"t1","level":3}}`
	deny := `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Deny","Resource":"*"}]}}`
	cases := map[string]struct {
		query      string
		result     lambdahost.Result
		status     int // 0: connects
		authorized bool
	}{
		"missing identity": {"", lambdahost.Result{Payload: []byte(allow)}, http.StatusUnauthorized, false},
		"deny":             {"?token=t", lambdahost.Result{Payload: []byte(deny)}, http.StatusForbidden, true},
		"unauthorized":     {"?token=t", lambdahost.Result{Payload: []byte(`{"errorMessage":"Unauthorized","errorType":"errorString"}`), FunctionError: "Unhandled"}, http.StatusUnauthorized, true},
		"crash":            {"?token=t", lambdahost.Result{Payload: []byte(`{"errorMessage":"nil pointer","errorType":"runtime.Error"}`), FunctionError: "Unhandled"}, http.StatusInternalServerError, true},
		"allow":            {"?token=t", lambdahost.Result{Payload: []byte(allow)}, 0, true},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := newRecorder(map[string]handlerFunc{"auth": func(context.Context, []byte) (lambdahost.Result, error) { return tc.result, nil }})
			routes := lifecycleRoutes(Route{Key: routeDefault, Function: "default"})
			routes[routeConnect] = Route{Function: "connect", Authorizer: &Authorizer{Function: "auth", IdentitySources: []string{"route.request.querystring.token"}}}
			f := start(t, Config{Routes: routes}, rec)
			c, resp, err := websocket.Dial(testCtx(t), f.stageURL()+tc.query, nil)
			if got := rec.count("auth"); (got == 1) != tc.authorized {
				t.Errorf("authorizer invoked %d times", got)
			}
			if tc.status != 0 {
				if err == nil || resp == nil || resp.StatusCode != tc.status {
					t.Fatalf("err %v response %v, want %d", err, resp, tc.status)
				}
				if n := rec.count("connect"); n != 0 {
					t.Errorf("$connect invoked after refusal")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.CloseNow()
			var req authorizerRequest
			if err := json.Unmarshal(rec.wait(t, "auth").Payload, &req); err != nil || req.Type != "REQUEST" || req.MethodArn != "arn:aws:execute-api:us-east-1:123456789012:local/local/$connect" {
				t.Errorf("authorizer request %+v (%v)", req, err)
			}
			if err := c.Write(testCtx(t), websocket.MessageText, []byte("x")); err != nil {
				t.Fatal(err)
			}
			for _, fn := range []string{"connect", "default"} {
				authz, _ := rec.wait(t, fn).event(t).RequestContext.Authorizer.(map[string]any)
				if authz["principalId"] != "user-1" || authz["tenant"] != "t1" || authz["level"] != float64(3) {
					t.Errorf("%s authorizer = %v", fn, authz)
				}
			}
		})
	}
}

func mustRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
