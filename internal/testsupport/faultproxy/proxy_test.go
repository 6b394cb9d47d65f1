package faultproxy_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentbridge/agentbridge/internal/testsupport/faultproxy"
)

func TestProxyFaultsThenForwards(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, _ = w.Write(append([]byte("upstream:"), body...))
	}))
	defer upstream.Close()
	p, err := faultproxy.New(upstream.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
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
		resp, err := http.Post(p.URL(), "application/json", strings.NewReader("ping"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want.status || !strings.Contains(string(body), want.body) {
			t.Errorf("request %d: %d %s, want %d containing %q", i, resp.StatusCode, body, want.status, want.body)
		}
	}
	if req, faulted, fwd := p.Counts(); req != 3 || faulted != 2 || fwd != 1 {
		t.Errorf("counts = %d, %d, %d; want 3, 2, 1", req, faulted, fwd)
	}
}

func TestNewRefusesRelativeUpstream(t *testing.T) {
	if _, err := faultproxy.New("localhost:8000"); err == nil {
		t.Fatal("relative upstream accepted")
	}
}
