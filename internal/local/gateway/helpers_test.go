package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

// hangGuard bounds every wait in these tests; it is never an assertion about speed.
const hangGuard = 10 * time.Second

// call is one recorded invocation.
type call struct {
	Function string
	Payload  []byte
}

func (c call) event(t *testing.T) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	var ev events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(c.Payload, &ev); err != nil {
		t.Fatalf("decode %s event: %v", c.Function, err)
	}
	return ev
}

type handlerFunc func(ctx context.Context, payload []byte) (lambdahost.Result, error)

// recorder is the function side of the boundary: it records every invocation and answers
// from per-function handlers (default: a 200 proxy response).
type recorder struct {
	handlers map[string]handlerFunc // fixed before the gateway starts

	mu    sync.Mutex
	calls []call
	next  map[string]int // per function: index of the first call not yet awaited
	cond  chan struct{}
}

func newRecorder(handlers map[string]handlerFunc) *recorder {
	return &recorder{handlers: handlers, next: map[string]int{}, cond: make(chan struct{})}
}

func (r *recorder) Invoke(ctx context.Context, function string, payload []byte) (lambdahost.Result, error) {
	r.mu.Lock()
	r.calls = append(r.calls, call{function, append([]byte(nil), payload...)})
	close(r.cond)
	r.cond = make(chan struct{})
	r.mu.Unlock()
	if h := r.handlers[function]; h != nil {
		return h(ctx, payload)
	}
	return lambdahost.Result{Payload: []byte(`{"statusCode":200}`)}, nil
}

// wait returns the next call of function not returned before.
func (r *recorder) wait(t *testing.T, function string) call {
	t.Helper()
	deadline := time.After(hangGuard)
	for {
		r.mu.Lock()
		seen := 0
		for _, c := range r.calls {
			if c.Function != function {
				continue
			}
			if seen == r.next[function] {
				r.next[function]++
				r.mu.Unlock()
				return c
			}
			seen++
		}
		ch := r.cond
		r.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no call of %s", function)
		}
	}
}

func (r *recorder) count(function string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		if c.Function == function {
			n++
		}
	}
	return n
}

// proxy returns a handler answering with a fixed proxy response.
func proxy(resp events.APIGatewayProxyResponse) handlerFunc {
	return func(context.Context, []byte) (lambdahost.Result, error) {
		b, _ := json.Marshal(resp)
		return lambdahost.Result{Payload: b}, nil
	}
}

// lifecycleRoutes are $connect and $disconnect routes to the recorder.
func lifecycleRoutes(extra ...Route) map[string]Route {
	routes := map[string]Route{
		routeConnect:    {Function: "connect"},
		routeDisconnect: {Function: "disconnect"},
	}
	for _, r := range extra {
		routes[r.Key] = r
	}
	return routes
}

type fixture struct {
	gw  *Gateway
	srv *httptest.Server
	rec *recorder
}

// start serves a Gateway on 127.0.0.1 (httptest) and shuts it down after the test.
func start(t *testing.T, cfg Config, rec *recorder) *fixture {
	t.Helper()
	f := startWith(t, cfg, rec)
	f.rec = rec
	return f
}

func (f *fixture) wsURL(path string) string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + path
}

func (f *fixture) stageURL() string { return f.wsURL("/" + f.gw.cfg.Stage) }

func (f *fixture) host() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// dial connects a coder/websocket client and fails the test on error.
func (f *fixture) dial(t *testing.T, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.Dial(testCtx(t), f.stageURL(), opts)
	if err != nil {
		t.Fatalf("dial: %v (response %v)", err, resp)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

// connect dials and returns the connection id from the recorded $connect event.
func (f *fixture) connect(t *testing.T) (*websocket.Conn, string) {
	t.Helper()
	c := f.dial(t, nil)
	ev := f.rec.wait(t, "connect").event(t)
	return c, ev.RequestContext.ConnectionID
}

// management returns the real SDK client pointed at this gateway.
func (f *fixture) management(base string) *apigatewaymanagementapi.Client {
	return managementAt(f.srv.URL + base)
}

// managementAt returns the SDK client for an endpoint; requests are SigV4-signed.
func managementAt(endpoint string) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      aws.NopRetryer{},
	})
}

// readText reads one message and fails unless it is text.
func readText(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	typ, b, err := c.Read(testCtx(t))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("message type %v, want text", typ)
	}
	return string(b)
}

// readClose reads until the connection closes and returns the close status.
func readClose(t *testing.T, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	for {
		if _, _, err := c.Read(testCtx(t)); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func mustHTTP(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func jsonNewDecoder(resp *http.Response) *json.Decoder { return json.NewDecoder(resp.Body) }

// testRoutes gives the gateway's endpoints the routes devhost's router.go gives them, for the
// tests of this package; devhost's router_test.go checks the real router.
func testRoutes(gw *Gateway) http.Handler {
	stage := "/" + gw.cfg.Stage
	mux := http.NewServeMux()
	mux.HandleFunc(stage, gw.ServeWebSocket)
	for _, base := range []string{stage, ""} {
		mux.HandleFunc("POST "+base+"/@connections/{id}", gw.PostToConnection)
		mux.HandleFunc("GET "+base+"/@connections/{id}", gw.GetConnection)
		mux.HandleFunc("DELETE "+base+"/@connections/{id}", gw.DeleteConnection)
		mux.HandleFunc("HEAD "+base+"/@connections/{id}", ServeForbidden)
	}
	mux.HandleFunc("/", ServeForbidden)
	return mux
}
