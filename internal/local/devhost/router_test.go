package devhost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/gateway"
	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

// connectRecorder accepts every $connect and hands out the connection ids it saw.
type connectRecorder struct{ ids chan string }

func (c connectRecorder) Invoke(_ context.Context, _ string, payload []byte) (lambdahost.Result, error) {
	var ev struct {
		RequestContext struct {
			ConnectionID string `json:"connectionId"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return lambdahost.Result{}, err
	}
	c.ids <- ev.RequestContext.ConnectionID
	return lambdahost.Result{Payload: []byte(`{"statusCode":200}`)}, nil
}

// routerHost is a Host with only what router() uses: a gateway for stage "local" and, when
// withLambda, a Lambda host without functions.
func routerHost(t *testing.T, withLambda bool) (*httptest.Server, connectRecorder) {
	t.Helper()
	rec := connectRecorder{ids: make(chan string, 1)}
	gw, err := gateway.New(gateway.Config{Stage: "local", Routes: map[string]gateway.Route{"$connect": {Function: "Connect"}}}, rec)
	if err != nil {
		t.Fatal(err)
	}
	h := &Host{stage: "local", gateway: gw}
	if withLambda {
		h.lambdas = lambdahost.NewHost(lambdahost.Config{})
		t.Cleanup(func() { _ = h.lambdas.Close() })
	}
	srv := httptest.NewServer(h.router())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
		srv.Close()
	})
	return srv, rec
}

type answer struct {
	status  int
	errType string // X-Amzn-ErrorType or, for Lambda, X-Amzn-Errortype
	body    string // a substring of the body
}

func do(t *testing.T, method, rawURL, body string) answer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, errType: resp.Header.Get("X-Amzn-ErrorType"), body: string(b)}
}

func (a answer) matches(want answer) bool {
	return a.status == want.status && a.errType == want.errType && strings.Contains(a.body, want.body)
}

var forbidden = answer{http.StatusForbidden, "ForbiddenException", `{"message":"Forbidden"}`}

// TestRouterAnswersLikeAWS: each endpoint of router.go's table, and the fallbacks around them.
func TestRouterAnswersLikeAWS(t *testing.T) {
	t.Parallel()
	srv, rec := routerHost(t, true)
	c, _, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/local", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.CloseNow()
	id := <-rec.ids
	encoded := url.PathEscape(id)
	encoded = strings.NewReplacer("=", "%3D", "+", "%2B").Replace(encoded)
	gone := answer{http.StatusGone, "GoneException", "Gone"}

	cases := []struct {
		method, path, body string
		want               answer
	}{
		{"POST", "/local/@connections/" + encoded, "staged", answer{status: http.StatusOK}},
		{"POST", "/@connections/" + encoded, "stageless", answer{status: http.StatusOK}},
		{"GET", "/local/@connections/" + encoded, "", answer{status: http.StatusOK, body: `"connectedAt"`}},
		{"GET", "/@connections/" + encoded, "", answer{status: http.StatusOK, body: `"lastActiveAt"`}},
		{"HEAD", "/local/@connections/" + encoded, "", answer{status: http.StatusForbidden, errType: "ForbiddenException"}},
		{"PUT", "/local/@connections/" + encoded, "", forbidden},
		{"PATCH", "/@connections/" + encoded, "", forbidden},
		{"POST", "/local/@connections/R1kmxc2VNjMCFIA%3D", "x", gone},
		{"POST", "/@connections/R1kmxc2VNjMCFIA%3D", "x", gone},
		{"GET", "/local/@connections/not-an-id", "", answer{http.StatusBadRequest, "BadRequestException", "Invalid connectionId"}},
		{"POST", "/otherstage/@connections/R1kmxc2VNjMCFIA%3D", "x", forbidden},
		{"POST", "/local/@connections/", "x", forbidden},
		{"GET", "/local", "", answer{status: http.StatusUpgradeRequired}},
		{"POST", "/local", "", answer{status: http.StatusUpgradeRequired}},
		{"GET", "/local/", "", forbidden},
		{"GET", "/other", "", forbidden},
		{"GET", "/", "", forbidden},
		{"POST", "/2015-03-31/functions/Missing/invocations", "{}", answer{http.StatusNotFound, "ResourceNotFoundException", "Function not found"}},
		{"GET", "/2015-03-31/functions/Missing", "", answer{http.StatusNotFound, "ResourceNotFoundException", "Function not found"}},
		{"GET", "/2015-03-31/functions/Missing/invocations", "", answer{status: http.StatusMethodNotAllowed}},
		{"GET", "/2015-03-31/other", "", answer{status: http.StatusNotFound}},
	}
	for _, tc := range cases {
		if got := do(t, tc.method, srv.URL+tc.path, tc.body); !got.matches(tc.want) {
			t.Errorf("%s %s = %+v, want %+v", tc.method, tc.path, got, tc.want)
		}
	}
	for _, want := range []string{"staged", "stageless"} {
		if _, got, err := c.Read(t.Context()); err != nil || string(got) != want {
			t.Errorf("client read %q, %v; want %q", got, err, want)
		}
	}
	if got := do(t, "DELETE", srv.URL+"/@connections/"+encoded, ""); got.status != http.StatusNoContent {
		t.Errorf("DELETE = %+v, want 204", got)
	}
}

// TestRouterWithoutLambdaForbidsItsPaths: with functions on an external Lambda endpoint the
// host serves no Invoke API; its paths are unknown like any other.
func TestRouterWithoutLambdaForbidsItsPaths(t *testing.T) {
	t.Parallel()
	srv, _ := routerHost(t, false)
	if got := do(t, "POST", srv.URL+"/2015-03-31/functions/Emit/invocations", "{}"); !got.matches(forbidden) {
		t.Errorf("Invoke without a Lambda host = %+v, want %+v", got, forbidden)
	}
}
