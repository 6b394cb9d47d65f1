package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/aws/smithy-go"
	"github.com/coder/websocket"
)

func getInput(id string) *apigatewaymanagementapi.GetConnectionInput {
	return &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String(id)}
}

func postInput(id string, data []byte) *apigatewaymanagementapi.PostToConnectionInput {
	return &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: aws.String(id), Data: data}
}

func assertGone(t *testing.T, err error) {
	t.Helper()
	var gone *types.GoneException
	if !errors.As(err, &gone) {
		t.Fatalf("error %v (%T), want *types.GoneException", err, err)
	}
}

// Trap: rejecting /{stage}/@connections/{id}; missing GetConnection.
func TestManagementPostGetDelete(t *testing.T) {
	t.Parallel()
	for _, base := range []string{"/local", ""} {
		t.Run("base="+base, func(t *testing.T) {
			f := start(t, Config{Routes: lifecycleRoutes()}, newRecorder(nil))
			c, id := f.connect(t)
			api := f.management(base)
			ctx := testCtx(t)

			if _, err := api.PostToConnection(ctx, postInput(id, []byte(`{"event":"hello"}`))); err != nil {
				t.Fatalf("PostToConnection: %v", err)
			}
			if got := readText(t, c); got != `{"event":"hello"}` {
				t.Errorf("client got %q", got)
			}
			out, err := api.GetConnection(ctx, getInput(id))
			if err != nil {
				t.Fatalf("GetConnection: %v", err)
			}
			if out.ConnectedAt == nil || out.LastActiveAt == nil || out.LastActiveAt.Before(*out.ConnectedAt) ||
				out.Identity == nil || aws.ToString(out.Identity.SourceIp) != "127.0.0.1" || aws.ToString(out.Identity.UserAgent) == "" {
				t.Errorf("GetConnection = %+v", out)
			}
			if _, err := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)}); err != nil {
				t.Fatalf("DeleteConnection: %v", err)
			}
			if code := readClose(t, c); code != websocket.StatusNormalClosure {
				t.Errorf("close code %v", code)
			}
			if got := f.rec.wait(t, "disconnect").event(t).RequestContext.DisconnectStatusCode; got != 1000 {
				t.Errorf("disconnectStatusCode %d", got)
			}
			// Trap: 200 or 500 for a closed connection instead of 410.
			_, err = api.PostToConnection(ctx, postInput(id, []byte("late")))
			assertGone(t, err)
			_, err = api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)})
			assertGone(t, err)
		})
	}
}

func TestManagementGetTimestampFormat(t *testing.T) {
	t.Parallel()
	f := start(t, Config{}, newRecorder(nil))
	f.dial(t, nil)
	id := f.gw.reg.all()[0].id
	resp := mustHTTP(t, mustRequest(t, http.MethodGet, f.srv.URL+"/@connections/"+strings.NewReplacer("=", "%3D", "/", "%2F", "+", "%2B").Replace(id), nil))
	var body map[string]any
	if err := jsonDecode(resp, &body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %v", resp.StatusCode, err)
	}
	for _, k := range []string{"connectedAt", "lastActiveAt"} {
		s, _ := body[k].(string)
		if _, err := time.Parse("2006-01-02T15:04:05.000Z", s); err != nil {
			t.Errorf("%s = %q: %v", k, s, err)
		}
	}
}

// Trap: returning 200 or 500 for an unknown connection; a malformed id is a bad request.
func TestManagementUnknownAndMalformedIDs(t *testing.T) {
	t.Parallel()
	f := start(t, Config{}, newRecorder(nil))
	api := f.management("/local")
	_, err := api.PostToConnection(testCtx(t), postInput("R1kmxc2VNjMCFIA=", []byte("x")))
	assertGone(t, err)
	_, err = api.PostToConnection(testCtx(t), postInput("not-an-id", []byte("x")))
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "BadRequestException" {
		t.Fatalf("malformed id: %v", err)
	}
}

func TestManagementForbiddenPath(t *testing.T) {
	t.Parallel()
	f := start(t, Config{}, newRecorder(nil))
	_, err := f.management("/otherstage").PostToConnection(testCtx(t), postInput("R1kmxc2VNjMCFIA=", []byte("x")))
	var forbidden *types.ForbiddenException
	if !errors.As(err, &forbidden) {
		t.Fatalf("error %v, want *types.ForbiddenException", err)
	}
}

// Trap: URL-encoded ids, including an encoded "/".
func TestManagementEncodedIDs(t *testing.T) {
	t.Parallel()
	f := start(t, Config{}, newRecorder(nil))
	f.gw.reg.rand = bytes.NewReader(bytes.Repeat([]byte{0xff}, idBytes))
	c := f.dial(t, nil)
	id := "//////////////8="
	if f.gw.reg.get(id) == nil {
		t.Fatalf("connection %q not registered", id)
	}
	if _, err := f.management("/local").PostToConnection(testCtx(t), postInput(id, []byte("sdk"))); err != nil {
		t.Fatalf("SDK post: %v", err)
	}
	raw := f.srv.URL + "/local/@connections/%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F8%3D"
	if resp := mustHTTP(t, mustRequest(t, http.MethodPost, raw, strings.NewReader("raw"))); resp.StatusCode != http.StatusOK {
		t.Fatalf("raw post: %d", resp.StatusCode)
	}
	for _, want := range []string{"sdk", "raw"} {
		if got := readText(t, c); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// Both sides of the 128 KB Data limit.
func TestManagementPayloadLimit(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes()}, newRecorder(nil))
	c, id := f.connect(t)
	api := f.management("/local")
	if _, err := api.PostToConnection(testCtx(t), postInput(id, bytes.Repeat([]byte("a"), 131072))); err != nil {
		t.Fatalf("131072 bytes: %v", err)
	}
	if got := readText(t, c); len(got) != 131072 {
		t.Errorf("client got %d bytes", len(got))
	}
	_, err := api.PostToConnection(testCtx(t), postInput(id, bytes.Repeat([]byte("a"), 131073)))
	var tooLarge *types.PayloadTooLargeException
	if !errors.As(err, &tooLarge) {
		t.Fatalf("131073 bytes: %v, want *types.PayloadTooLargeException", err)
	}
}

// A client that never reads fills its queue: 429 LimitExceeded, while other
// connections keep receiving.
func TestSlowReaderGetsLimitExceeded(t *testing.T) {
	t.Parallel()
	f := start(t, Config{Routes: lifecycleRoutes(), SendQueueBytes: 256 << 10}, newRecorder(nil))
	stalled := rawDial(t, f)
	defer stalled.Close()
	stalledID := f.rec.wait(t, "connect").event(t).RequestContext.ConnectionID
	healthy, healthyID := f.connect(t)
	api := f.management("")

	chunk := bytes.Repeat([]byte("x"), 128<<10)
	var limited *types.LimitExceededException
	for i := 0; ; i++ {
		if i == 2000 {
			t.Fatal("no LimitExceededException after 2000 posts to a client that never reads")
		}
		_, err := api.PostToConnection(testCtx(t), postInput(stalledID, chunk))
		if errors.As(err, &limited) {
			break
		}
		if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	if _, err := api.PostToConnection(testCtx(t), postInput(healthyID, []byte("still here"))); err != nil {
		t.Fatal(err)
	}
	if got := readText(t, healthy); got != "still here" {
		t.Errorf("healthy client got %q", got)
	}
}

// rawDial opens a WebSocket over a plain TCP socket with a tiny receive buffer and never
// reads from it: the one client coder/websocket cannot play (it always reads or closes).
func rawDial(t *testing.T, f *fixture) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", f.host(), hangGuard)
	if err != nil {
		t.Fatal(err)
	}
	if tcp, ok := nc.(*net.TCPConn); ok {
		_ = tcp.SetReadBuffer(4096)
	}
	fmt.Fprintf(nc, "GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", f.gw.cfg.Stage, f.host())
	_ = nc.SetReadDeadline(time.Now().Add(hangGuard))
	resp, err := http.ReadResponse(bufio.NewReaderSize(nc, 16), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("raw handshake: %v %v", resp, err)
	}
	return nc
}

func jsonDecode(resp *http.Response, v any) error {
	return jsonNewDecoder(resp).Decode(v)
}
