package devhost

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/local/console"
	"github.com/agentbridge/agentbridge/internal/local/gateway"
)

// TestRouterServesTheConsole: with a console, the root leads to it (keeping ?user=) and
// /console/ is its; every other path still answers as API Gateway does.
func TestRouterServesTheConsole(t *testing.T) {
	t.Parallel()
	gw, err := gateway.New(gateway.Config{Stage: "local", Routes: map[string]gateway.Route{"$connect": {Function: "Connect"}}}, connectRecorder{ids: make(chan string, 1)})
	if err != nil {
		t.Fatal(err)
	}
	h := &Host{stage: "local", gateway: gw, console: console.New(console.Config{Dir: t.TempDir()})}
	srv := httptest.NewServer(h.router())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = gw.Shutdown(ctx)
		srv.Close()
	})

	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/?user=bob", nil)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || loc != "/console/?user=bob" {
		t.Errorf("GET / = %d to %q, want 302 to /console/?user=bob", resp.StatusCode, loc)
	}
	for _, tc := range []struct {
		method, path string
		want         answer
	}{
		{"GET", "/console/", answer{status: http.StatusNotFound, body: "make console"}}, // not built in this test
		{"GET", "/console/api/connections?user=bob", answer{status: http.StatusNotImplemented}},
		{"POST", "/", forbidden},
		{"GET", "/consoles", forbidden},
		{"GET", "/local/", forbidden},
	} {
		if got := do(t, tc.method, srv.URL+tc.path, ""); !got.matches(tc.want) {
			t.Errorf("%s %s = %+v, want %+v", tc.method, tc.path, got, tc.want)
		}
	}
}
