package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	mgmttypes "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

// maxTokenBytes is the verifier's default token cap, which the template does not change.
const maxTokenBytes = 8192

// transport is one way a client presents its token on the upgrade request.
type transport struct {
	name string
	dial func(ctx context.Context, h *devhost.Host, tok string) (*websocket.Conn, *http.Response, error)
}

var transports = []transport{
	{"subprotocol", func(ctx context.Context, h *devhost.Host, tok string) (*websocket.Conn, *http.Response, error) {
		return websocket.Dial(ctx, h.WebSocketURL(), &websocket.DialOptions{Subprotocols: []string{auth.Subprotocol, "bearer." + tok}})
	}},
	{"query string", func(ctx context.Context, h *devhost.Host, tok string) (*websocket.Conn, *http.Response, error) {
		return websocket.Dial(ctx, h.WebSocketURL()+"?token="+url.QueryEscape(tok), nil)
	}},
	{"authorization header", func(ctx context.Context, h *devhost.Host, tok string) (*websocket.Conn, *http.Response, error) {
		return websocket.Dial(ctx, h.WebSocketURL(), &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
	}},
}

// TestTokenTransportsThroughHost: each way a browser or agent can present its token connects
// as that token's user, the handshake response never carries the token back, and a validly
// signed token one byte over the cap is refused with 401 whichever way it comes.
func TestTokenTransportsThroughHost(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			user := "e2e-transport-" + strings.ReplaceAll(tr.name, " ", "-")
			tok := token(t, user)
			conn, resp := dialWith(t, tr, tok)
			checkNoEcho(t, resp, tok)
			wantProto := ""
			if tr.name == "subprotocol" {
				wantProto = auth.Subprotocol
			}
			if got := conn.Subprotocol(); got != wantProto {
				t.Errorf("handshake chose subprotocol %q, want %q", got, wantProto)
			}
			emit(t, shared, `{"user_id":"`+user+`","type":"agent_started","run_id":"transport"}`)
			if env := (&client{Conn: conn}).next(t); env.RunID != "transport" {
				t.Errorf("tab received run %q", env.RunID)
			}

			atCap, overCap := paddedToken(t, user, maxTokenBytes), paddedToken(t, user, maxTokenBytes+1)
			conn, resp = dialWith(t, tr, atCap)
			checkNoEcho(t, resp, atCap)
			conn.CloseNow()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			conn, resp, err := tr.dial(ctx, shared, overCap)
			if err == nil {
				conn.CloseNow()
				t.Fatalf("a %d-byte token connected", len(overCap))
			}
			if resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("a %d-byte token answered %v (%v), want 401", len(overCap), resp, err)
			}
			checkNoEcho(t, resp, overCap)
		})
	}
}

func dialWith(t *testing.T, tr transport, tok string) (*websocket.Conn, *http.Response) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	conn, resp, err := tr.dial(ctx, shared, tok)
	if err != nil {
		t.Fatalf("dial with a %d-byte token: %v (%v)", len(tok), err, resp)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn, resp
}

// checkNoEcho fails when any part of the handshake response carries the token.
func checkNoEcho(t *testing.T, resp *http.Response, tok string) {
	t.Helper()
	var dump bytes.Buffer
	_ = resp.Header.Write(&dump)
	if resp.Body != nil {
		_, _ = io.Copy(&dump, io.LimitReader(resp.Body, 1<<20))
	}
	sig := tok[strings.LastIndexByte(tok, '.')+1:]
	if strings.Contains(dump.String(), sig) {
		t.Errorf("the handshake response carries the token:\n%s", dump.String())
	}
}

// paddedToken returns a validly signed token for user of exactly size bytes, grown by an
// ignored claim, so that only its length can be why it is refused.
func paddedToken(t *testing.T, user string, size int) string {
	t.Helper()
	for pad := size * 3 / 4; pad > 0; pad-- {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
			"sub": user, "exp": time.Now().Add(time.Hour).Unix(), "pad": strings.Repeat("p", pad),
		}).SignedString([]byte(testSecret))
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) == size {
			return tok
		}
	}
	t.Fatalf("no padding gives a %d-byte token", size)
	return ""
}

// TestHandshakesThatNeverFinishAreDropped: sockets that stop part-way through the upgrade
// request are dropped once the host's handshake timeout (10 s) passes, and while they hang
// the host keeps accepting and serving real clients.
func TestHandshakesThatNeverFinishAreDropped(t *testing.T) {
	dial(t, shared, "e2e-handshake-warm") // ConnectFunction has a warm process
	partial := map[string]string{
		"silent":                "",
		"half a request line":   "GET /" + shared.Stage() + " HT",
		"headers never ended":   "GET /" + shared.Stage() + " HTTP/1.1\r\nHost: " + shared.Addr() + "\r\nUpgrade: websocket\r\n",
		"TLS record never done": "\x16\x03\x01\x02\x00\x01",
	}
	hung := map[string]net.Conn{}
	for name, sent := range partial {
		nc, err := net.DialTimeout("tcp", shared.Addr(), 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		if _, err := io.WriteString(nc, sent); err != nil {
			t.Fatal(err)
		}
		hung[name] = nc
	}
	for i := range 5 {
		c := dial(t, shared, fmt.Sprintf("e2e-handshake-%d", i))
		connectionID(t, c)
	}
	for name, nc := range hung {
		if !stillOpen(nc) {
			t.Errorf("%s: answered or dropped before the real clients had connected", name)
		}
	}
	for name, nc := range hung {
		if err := waitDropped(nc); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// stillOpen reports whether the server has neither closed nor answered nc yet.
func stillOpen(nc net.Conn) bool {
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	defer nc.SetReadDeadline(time.Time{})
	_, err := nc.Read(make([]byte, 1))
	return errors.Is(err, os.ErrDeadlineExceeded)
}

// waitDropped reads until the server ends nc, failing after a generous hang guard.
func waitDropped(nc net.Conn) error {
	_ = nc.SetReadDeadline(time.Now().Add(60 * time.Second))
	_, err := io.Copy(io.Discard, nc)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errors.New("still connected after a minute")
	}
	return nil // EOF or a reset: the server let go
}

// TestNeverReadingClientGetsLimitExceeded: a tab that never reads fills its send queue, and
// the management API then answers 429 LimitExceededException through the SDK; emit counts
// that as a throttled message, never as a gone connection, so the mapping stays; another
// user's tab meanwhile keeps receiving.
func TestNeverReadingClientGetsLimitExceeded(t *testing.T) {
	const stalledUser, healthyUser = "e2e-stalled", "e2e-healthy"
	stalled := rawWebSocket(t, shared, stalledUser)
	defer stalled.Close()
	healthy := dial(t, shared, healthyUser)
	id := mappedConnection(t, stalledUser)

	fillUntilLimited(t, id)

	report := emit(t, shared, `{"user_id":"`+stalledUser+`","type":"agent_started","run_id":"stalled"}`)
	if report.Connections != 1 || report.Delivered != 0 || report.StaleRemoved != 0 || report.Throttled != 1 {
		t.Errorf("emit to the stalled tab reported %+v, want one throttled message and nothing removed", report)
	}
	if mappedConnection(t, stalledUser) != id {
		t.Error("the stalled tab's mapping was removed")
	}
	emit(t, shared, `{"user_id":"`+healthyUser+`","type":"agent_started","run_id":"healthy"}`)
	if env := healthy.next(t); env.RunID != "healthy" {
		t.Errorf("healthy tab received run %q", env.RunID)
	}
}

// fillUntilLimited posts 128 KB messages to a connection that never reads until the management
// API answers 429 LimitExceededException: its socket and the gateway's send queue are full.
func fillUntilLimited(t *testing.T, id string) {
	t.Helper()
	api := apigatewaymanagementapi.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: testCreds}, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(shared.ManagementEndpoint())
		o.Retryer = aws.NopRetryer{} // see each 429 rather than the SDK's retries of it
	})
	chunk := bytes.Repeat([]byte("x"), 128<<10)
	var limited *mgmttypes.LimitExceededException
	for i := range 2000 {
		_, err := api.PostToConnection(t.Context(), &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: chunk})
		if errors.As(err, &limited) {
			return
		}
		if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	t.Fatal("no LimitExceededException after 2000 posts of 128 KB to a client that never reads")
}

// rawWebSocket upgrades a plain TCP socket as user and never reads from it: the one client
// coder/websocket cannot play. Its small receive buffer fills quickly.
func rawWebSocket(t *testing.T, h *devhost.Host, user string) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", h.Addr(), 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(nc, "GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
		"Sec-WebSocket-Protocol: %s, bearer.%s\r\n\r\n", h.Stage(), h.Addr(), auth.Subprotocol, token(t, user))
	_ = nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReaderSize(nc, 16), nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		nc.Close()
		t.Fatalf("raw handshake: %v %v", resp, err)
	}
	return nc
}

// mappedConnection returns the one connection id the table maps user to.
func mappedConnection(t *testing.T, user string) string {
	t.Helper()
	var ids []string
	for _, m := range mappings(t, shared) {
		if m.UserID == user {
			ids = append(ids, m.ConnectionID)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s has connections %v, want exactly one", user, ids)
	}
	return ids[0]
}
