package gateway

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

var awsIDPattern = regexp.MustCompile(`^[A-Za-z0-9+/]{15}=$`)

// TestEventsMatchCaptures holds generated CONNECT, MESSAGE and DISCONNECT events against
// fixtures modelled on real captures: same keys, same JSON types, varying values by format.
func TestEventsMatchCaptures(t *testing.T) {
	t.Parallel()
	cfg := Config{Stage: "prod", APIID: "dl7ptocha9", Routes: lifecycleRoutes(Route{Key: routeDefault, Function: "default"})}
	f := start(t, cfg, newRecorder(nil))
	h := http.Header{}
	h.Set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
	h.Set("User-Agent", "Mozilla/5.0 test")
	c, _, err := websocket.Dial(testCtx(t), f.stageURL()+"?name=me", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(testCtx(t), websocket.MessageText, []byte("{\r\n\t\"a\": 1\r\n}")); err != nil {
		t.Fatal(err)
	}
	msg := f.rec.wait(t, "default")
	if err := c.Close(websocket.StatusGoingAway, ""); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]call{
		"connect.json":    f.rec.wait(t, "connect"),
		"message.json":    msg,
		"disconnect.json": f.rec.wait(t, "disconnect"),
	} {
		t.Run(name, func(t *testing.T) {
			want := loadJSON(t, filepath.Join("testdata", name))
			var gotDoc any
			if err := json.Unmarshal(got.Payload, &gotDoc); err != nil {
				t.Fatal(err)
			}
			sameShape(t, "", want, gotDoc)
			checkValues(t, f, got)
		})
	}
}

func loadJSON(t *testing.T, path string) any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// sameShape compares key sets and JSON types recursively. Header maps may carry more keys
// than the fixture (clients send different headers), never fewer.
func sameShape(t *testing.T, path string, want, got any) {
	t.Helper()
	if reflect.TypeOf(want) != reflect.TypeOf(got) {
		t.Errorf("%s: type %T, fixture has %T", path, got, want)
		return
	}
	wm, ok := want.(map[string]any)
	if !ok {
		return
	}
	gm := got.(map[string]any)
	headerMap := strings.HasSuffix(path, "eaders")
	for k, wv := range wm {
		gv, ok := gm[k]
		if !ok {
			t.Errorf("%s.%s: missing", path, k)
			continue
		}
		sameShape(t, path+"."+k, wv, gv)
	}
	if !headerMap {
		for k := range gm {
			if _, ok := wm[k]; !ok {
				t.Errorf("%s.%s: not in the fixture", path, k)
			}
		}
	}
}

func checkValues(t *testing.T, f *fixture, c call) {
	ev := c.event(t)
	rc := ev.RequestContext
	for name, id := range map[string]string{"connectionId": rc.ConnectionID, "requestId": rc.RequestID, "extendedRequestId": rc.ExtendedRequestID} {
		if !awsIDPattern.MatchString(id) {
			t.Errorf("%s %q not in AWS form", name, id)
		}
	}
	if _, err := time.Parse(requestTimeLayout, rc.RequestTime); err != nil {
		t.Errorf("requestTime %q: %v", rc.RequestTime, err)
	}
	if rc.ConnectedAt <= 0 || rc.RequestTimeEpoch < rc.ConnectedAt {
		t.Errorf("connectedAt %d, requestTimeEpoch %d", rc.ConnectedAt, rc.RequestTimeEpoch)
	}
	if rc.DomainName != f.host() || rc.Stage != "prod" || rc.APIID != "dl7ptocha9" {
		t.Errorf("domainName %q stage %q apiId %q", rc.DomainName, rc.Stage, rc.APIID)
	}
	if rc.Identity.SourceIP != "127.0.0.1" || rc.Identity.UserAgent != "Mozilla/5.0 test" {
		t.Errorf("identity %+v", rc.Identity)
	}
	switch rc.EventType {
	case "CONNECT":
		keys := make([]string, 0, len(ev.Headers))
		for k := range ev.Headers {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if ev.Headers["Sec-WebSocket-Key"] == "" || ev.Headers["Host"] != f.host() || ev.Headers["X-Forwarded-Proto"] != "http" {
			t.Errorf("connect headers %v", keys)
		}
		if ev.QueryStringParameters["name"] != "me" {
			t.Errorf("query %v", ev.QueryStringParameters)
		}
	case "MESSAGE":
		if id, _ := rc.MessageID.(string); !awsIDPattern.MatchString(id) {
			t.Errorf("messageId %v", rc.MessageID)
		}
		if ev.Body != "{\r\n\t\"a\": 1\r\n}" || ev.IsBase64Encoded {
			t.Errorf("body %q base64 %v", ev.Body, ev.IsBase64Encoded)
		}
	case "DISCONNECT":
		if rc.DisconnectStatusCode != 1001 || rc.DisconnectReason == nil {
			t.Errorf("disconnectStatusCode %d reason %v", rc.DisconnectStatusCode, rc.DisconnectReason)
		}
	}
}
