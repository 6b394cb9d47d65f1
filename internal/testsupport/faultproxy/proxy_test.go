package faultproxy_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/testsupport/faultproxy"
)

func echoUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, _ = w.Write(append([]byte("upstream:"), body...))
	}))
	t.Cleanup(upstream.Close)
	return upstream
}

func newProxy(t *testing.T) *faultproxy.Proxy {
	t.Helper()
	p, err := faultproxy.New(echoUpstream(t).URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// post sends one request on a fresh connection, so a reset or refusal is this request's.
func post(ctx context.Context, url string) (int, string, error) {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("ping"))
	if err != nil {
		return 0, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

func TestProxyFaultsThenForwards(t *testing.T) {
	t.Parallel()
	p := newProxy(t)
	p.FailNext(2, faultproxy.DynamoDBThrottling)

	wants := []struct {
		status int
		body   string
	}{
		{400, "ProvisionedThroughputExceededException"},
		{400, "ProvisionedThroughputExceededException"},
		{200, "upstream:ping"},
	}
	for i, want := range wants {
		status, body, err := post(t.Context(), p.URL())
		if err != nil {
			t.Fatal(err)
		}
		if status != want.status || !strings.Contains(body, want.body) {
			t.Errorf("request %d: %d %s, want %d containing %q", i, status, body, want.status, want.body)
		}
	}
	if req, faulted, fwd := p.Counts(); req != 3 || faulted != 2 || fwd != 1 {
		t.Errorf("counts = %d, %d, %d; want 3, 2, 1", req, faulted, fwd)
	}
}

func TestDelayHoldsUntilTheClientGivesUp(t *testing.T) {
	t.Parallel()
	p := newProxy(t)
	p.Delay(time.Hour)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, _, err := post(ctx, p.URL()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("delayed request: %v, want the client's deadline", err)
	}
	p.Clear()
	if status, body, err := post(t.Context(), p.URL()); err != nil || status != 200 || body != "upstream:ping" {
		t.Fatalf("after Clear: %d %q %v", status, body, err)
	}
}

func TestResetConnectionsThenClear(t *testing.T) {
	t.Parallel()
	p := newProxy(t)
	p.ResetConnections()
	if _, _, err := post(t.Context(), p.URL()); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("request through a resetting proxy: %v, want connection reset", err)
	}
	p.Clear()
	if status, _, err := post(t.Context(), p.URL()); err != nil || status != 200 {
		t.Fatalf("after Clear: %d %v", status, err)
	}
	if req, faulted, fwd := p.Counts(); req != 2 || faulted != 1 || fwd != 1 {
		t.Errorf("counts = %d, %d, %d; want 2, 1, 1", req, faulted, fwd)
	}
}

func TestDownRefusesThenUpServesOnTheSameAddress(t *testing.T) {
	t.Parallel()
	p := newProxy(t)
	url := p.URL()
	p.Down()
	if _, _, err := post(t.Context(), url); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("request while down: %v, want connection refused", err)
	}
	if err := p.Up(); err != nil {
		t.Skipf("could not rebind the proxy's port: %v", err)
	}
	if p.URL() != url {
		t.Errorf("URL changed from %s to %s", url, p.URL())
	}
	if status, _, err := post(t.Context(), url); err != nil || status != 200 {
		t.Fatalf("after Up: %d %v", status, err)
	}
}

func TestNewRefusesRelativeUpstream(t *testing.T) {
	t.Parallel()
	if _, err := faultproxy.New("localhost:8000"); err == nil {
		t.Fatal("relative upstream accepted")
	}
}
