package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

type errorFrame struct {
	Message      string `json:"message"`
	ConnectionID string `json:"connectionId"`
	RequestID    string `json:"requestId"`
}

func readErrorFrame(t *testing.T, c *websocket.Conn) errorFrame {
	t.Helper()
	var ef errorFrame
	if err := json.Unmarshal([]byte(readText(t, c)), &ef); err != nil {
		t.Fatal(err)
	}
	return ef
}

// Trap: applying route selection to $connect (or letting a body pick it).
func TestRouteSelectionOverSocket(t *testing.T) {
	t.Parallel()
	routes := lifecycleRoutes(
		Route{Key: routeDefault, Function: "default"},
		Route{Key: "chat.send", Function: "send"},
	)
	f := start(t, Config{Routes: routes, RouteSelectionExpression: "$request.body.meta.route"}, newRecorder(nil))
	c := f.dial(t, nil)
	if ev := f.rec.wait(t, "connect").event(t); ev.RequestContext.RouteKey != routeConnect {
		t.Errorf("connect routeKey %q", ev.RequestContext.RouteKey)
	}
	cases := []struct {
		body, function, routeKey string
	}{
		{`{"meta":{"route":"chat.send"}}`, "send", "chat.send"},
		{`not json`, "default", routeDefault},
		{`{"meta":{"route":"unknown"}}`, "default", routeDefault},
		{`{"meta":{"route":"$connect"}}`, "default", routeDefault},
		{`{"meta":{"route":"$disconnect"}}`, "default", routeDefault},
	}
	for _, tc := range cases {
		if err := c.Write(testCtx(t), websocket.MessageText, []byte(tc.body)); err != nil {
			t.Fatal(err)
		}
		ev := f.rec.wait(t, tc.function).event(t)
		if ev.RequestContext.RouteKey != tc.routeKey || ev.Body != tc.body || ev.Headers != nil {
			t.Errorf("%s: routeKey %q body %q headers %v", tc.body, ev.RequestContext.RouteKey, ev.Body, ev.Headers)
		}
	}
	if n := f.rec.count("connect"); n != 1 {
		t.Errorf("$connect invoked %d times", n)
	}
}

// Trap: silently dropping messages with no route and no $default.
func TestNoRouteSendsForbiddenFrame(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes(Route{Key: "send", Function: "send"})}, newRecorder(nil))
	c, id := f.connect(t)
	if err := c.Write(testCtx(t), websocket.MessageText, []byte(`{"action":"other"}`)); err != nil {
		t.Fatal(err)
	}
	ef := readErrorFrame(t, c)
	if ef.Message != "Forbidden" || ef.ConnectionID != id || !awsIDPattern.MatchString(ef.RequestID) {
		t.Errorf("error frame %+v", ef)
	}
}

func TestBinaryMessageIsBase64(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: map[string]Route{routeDefault: {Function: "default"}}}, newRecorder(nil))
	c := f.dial(t, nil)
	payload := []byte{0, 1, 2, 0xff}
	if err := c.Write(testCtx(t), websocket.MessageBinary, payload); err != nil {
		t.Fatal(err)
	}
	ev := f.rec.wait(t, "default").event(t)
	if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString(payload) {
		t.Errorf("body %q base64 %v", ev.Body, ev.IsBase64Encoded)
	}
}

func TestIntegrationOutcomes(t *testing.T) {
	t.Parallel()
	rec := newRecorder(map[string]handlerFunc{
		"echo": proxy(events.APIGatewayProxyResponse{StatusCode: 200, Body: `{"pong":true}`}),
		"fail": func(context.Context, []byte) (lambdahost.Result, error) {
			return lambdahost.Result{Payload: []byte(`{"errorMessage":"boom"}`), FunctionError: "Unhandled"}, nil
		},
	})
	routes := lifecycleRoutes(
		Route{Key: "ping", Function: "echo", ReturnResponse: true},
		Route{Key: "oneway", Function: "echo"},
		Route{Key: "fail", Function: "fail"},
	)
	f := start(t, Config{Routes: routes}, rec)
	c, id := f.connect(t)
	write := func(s string) {
		if err := c.Write(testCtx(t), websocket.MessageText, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	write(`{"action":"oneway"}`)
	rec.wait(t, "echo")
	write(`{"action":"ping"}`)
	if got := readText(t, c); got != `{"pong":true}` {
		t.Errorf("two-way route sent %q", got)
	}
	write(`{"action":"fail"}`)
	if ef := readErrorFrame(t, c); ef.Message != "Internal server error" || ef.ConnectionID != id {
		t.Errorf("error frame %+v", ef)
	}
}

// A slow integration must not stop the reader: a later message is handled meanwhile.
func TestSlowIntegrationDoesNotBlockReader(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rec := newRecorder(map[string]handlerFunc{
		"slow": func(ctx context.Context, _ []byte) (lambdahost.Result, error) {
			select {
			case <-release:
			case <-ctx.Done():
			}
			return lambdahost.Result{Payload: []byte(`{"statusCode":200}`)}, nil
		},
		"fast": proxy(events.APIGatewayProxyResponse{StatusCode: 200, Body: "fast done"}),
	})
	routes := lifecycleRoutes(Route{Key: "slow", Function: "slow"}, Route{Key: "fast", Function: "fast", ReturnResponse: true})
	f := start(t, Config{Routes: routes}, rec)
	defer close(release)
	c := f.dial(t, nil)
	for _, body := range []string{`{"action":"slow"}`, `{"action":"fast"}`} {
		if err := c.Write(testCtx(t), websocket.MessageText, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if got := readText(t, c); got != "fast done" {
		t.Errorf("got %q", got)
	}
}

func TestPingGetsPong(t *testing.T) {
	t.Parallel()
	f := start(t, Config{}, newRecorder(nil))
	c := f.dial(t, nil)
	go func() { _, _, _ = c.Read(t.Context()) }() // coder/websocket reads pongs in Read
	if err := c.Ping(testCtx(t)); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

// Trap: hard-coding domainName, stage or apiId so endpoint construction breaks locally.
func TestEndpointFromEventReachesGateway(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Stage: "dev", APIID: "abc123", Routes: lifecycleRoutes()}, newRecorder(nil))
	c := f.dial(t, nil)
	ev := f.rec.wait(t, "connect").event(t)
	if ev.RequestContext.DomainName != f.host() || ev.RequestContext.APIID != "abc123" {
		t.Fatalf("domainName %q apiId %q", ev.RequestContext.DomainName, ev.RequestContext.APIID)
	}
	// What handlers do on AWS: https://{domainName}/{stage} (plain http locally).
	api := managementAt("http://" + ev.RequestContext.DomainName + "/" + ev.RequestContext.Stage)
	if _, err := api.PostToConnection(testCtx(t), postInput(ev.RequestContext.ConnectionID, []byte("via event endpoint"))); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, c); got != "via event endpoint" {
		t.Errorf("got %q", got)
	}
}

// Trap (seen in other emulators): one in-flight invocation per function. Two messages
// to the same function must be in flight together.
func TestConcurrentInvocationsOfOneFunction(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 2)
	both := make(chan struct{})
	var once sync.Once
	rec := newRecorder(map[string]handlerFunc{
		"work": func(ctx context.Context, _ []byte) (lambdahost.Result, error) {
			arrived <- struct{}{}
			if len(arrived) == 2 {
				once.Do(func() { close(both) })
			}
			select {
			case <-both:
				return lambdahost.Result{Payload: []byte(`{"statusCode":200,"body":"done"}`)}, nil
			case <-ctx.Done():
				return lambdahost.Result{}, ctx.Err()
			}
		},
	})
	f := start(t, Config{Routes: map[string]Route{routeDefault: {Function: "work", ReturnResponse: true}}}, rec)
	c := f.dial(t, nil)
	for range 2 {
		if err := c.Write(testCtx(t), websocket.MessageText, []byte("go")); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if got := readText(t, c); got != "done" {
			t.Fatalf("got %q", got)
		}
	}
}

// No token from the query string or headers reaches the logs.
func TestLogsCarryNoTokens(t *testing.T) {
	t.Parallel()
	const secret = "eyJhbGciOiJIUzI1NiJ9.secret-token.sig"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rec := newRecorder(map[string]handlerFunc{
		"connect": proxy(events.APIGatewayProxyResponse{StatusCode: 401, Body: "no"}),
		"fail": func(context.Context, []byte) (lambdahost.Result, error) {
			return lambdahost.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"bad"}`)}, nil
		},
	})
	routes := lifecycleRoutes(Route{Key: routeDefault, Function: "fail"})
	f := start(t, Config{Routes: routes, Logger: logger}, rec)
	h := http.Header{"Authorization": {"Bearer " + secret}}
	if _, _, err := websocket.Dial(testCtx(t), f.stageURL()+"?token="+secret, &websocket.DialOptions{HTTPHeader: h}); err == nil {
		t.Fatal("connected")
	}
	if err := f.gw.Shutdown(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "secret-token") {
		t.Errorf("token logged:\n%s", logs.String())
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
