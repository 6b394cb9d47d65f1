package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// BenchmarkPostToConnection posts through the management API to a connected
// coder/websocket client and reads each message.
func BenchmarkPostToConnection(b *testing.B) {
	for _, size := range []int{64, 4 << 10, 128 << 10} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) { benchPost(b, size) })
	}
}

func benchPost(b *testing.B, size int) {
	gw, err := New(Config{}, newRecorder(nil))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(testRoutes(gw))
	defer srv.Close()
	defer gw.Shutdown(b.Context())
	c, _, err := websocket.Dial(b.Context(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/local", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(1 << 20)
	url := srv.URL + "/@connections/" + strings.NewReplacer("=", "%3D", "/", "%2F").Replace(gw.reg.all()[0].id)
	payload := bytes.Repeat([]byte("x"), size)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		resp, err := http.Post(url, "application/octet-stream", bytes.NewReader(payload))
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("post: %v %v", err, resp)
		}
		_ = resp.Body.Close()
		if _, _, err := c.Read(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPingRoundTrip sends {"action":"ping"} and reads the reply: through a MOCK route
// (the gateway answers) and through a two-way Lambda route (an in-process function answers),
// the cost a keep-alive saves per message besides the Lambda invocation itself.
func BenchmarkPingRoundTrip(b *testing.B) {
	for name, route := range map[string]Route{
		"mock":   {Key: "ping", Mock: &Mock{Response: []byte(`{"type":"pong"}`)}, ReturnResponse: true},
		"lambda": {Key: "ping", Function: "ping", ReturnResponse: true},
	} {
		b.Run(name, func(b *testing.B) {
			rec := newRecorder(map[string]handlerFunc{"ping": proxy(events.APIGatewayProxyResponse{StatusCode: 200, Body: `{"type":"pong"}`})})
			gw, err := New(Config{Routes: map[string]Route{"ping": route}}, rec)
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(testRoutes(gw))
			defer srv.Close()
			defer gw.Shutdown(b.Context())
			c, _, err := websocket.Dial(b.Context(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/local", nil)
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseNow()
			ping := []byte(`{"action":"ping"}`)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := c.Write(b.Context(), websocket.MessageText, ping); err != nil {
					b.Fatal(err)
				}
				if _, _, err := c.Read(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
