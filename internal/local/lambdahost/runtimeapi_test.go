package lambdahost

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// scripted is a process with no binary: the test plays the runtime and
// drives the Runtime API over real HTTP, checking what it answers.
type scripted struct {
	p   *process
	url string
}

func newScripted(t *testing.T) *scripted { return newScriptedWith(t, defaultBodyTimeout) }

// newScriptedWith is newScripted with its Runtime API's body timeout.
func newScriptedWith(t *testing.T, bodyTimeout time.Duration) *scripted {
	p := &process{
		assign:     make(chan *invocation),
		ready:      make(chan struct{}),
		initFailed: make(chan struct{}),
		exited:     make(chan struct{}),
	}
	srv := httptest.NewServer(p.runtimeAPI(bodyTimeout))
	t.Cleanup(srv.Close)
	return &scripted{p: p, url: srv.URL + "/2018-06-01/runtime/"}
}

// offer hands inv to the process as the pool does and reports the hand-off.
func (s *scripted) offer(inv *invocation) <-chan bool {
	taken := make(chan bool, 1)
	go func() {
		inv.deadline = time.Now().Add(3 * time.Second)
		s.p.assign <- inv
		taken <- <-inv.handoff
	}()
	return taken
}

func (s *scripted) do(t *testing.T, method, path string, body []byte, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestRuntimeAPINextCarriesTheInvocation(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	inv := newInvocation([]byte(`{"hello":"world"}`))
	inv.functionARN = "arn:aws:lambda:us-east-1:123456789012:function:F"
	inv.clientContext = `{"custom":{"k":"v"}}`
	inv.cognitoIdentity = `{"cognitoIdentityId":"id"}`
	taken := s.offer(inv)

	resp, body := s.do(t, http.MethodGet, "invocation/next", nil, nil)
	if resp.StatusCode != http.StatusOK || string(body) != `{"hello":"world"}` {
		t.Fatalf("next = %d %s", resp.StatusCode, body)
	}
	if !<-taken {
		t.Fatal("hand-off not reported as taken")
	}
	want := map[string]string{
		hdrRequestID: inv.id, hdrFunctionARN: inv.functionARN, hdrTraceID: inv.traceID,
		hdrClientContext: inv.clientContext, hdrCognitoIdentity: inv.cognitoIdentity,
		hdrDeadline: strconv.FormatInt(inv.deadline.UnixMilli(), 10),
	}
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestRuntimeAPIStatusCodes(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	next := func() *invocation {
		inv := newInvocation([]byte(`{}`))
		taken := s.offer(inv)
		if resp, _ := s.do(t, http.MethodGet, "invocation/next", nil, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("next = %d", resp.StatusCode)
		}
		<-taken
		return inv
	}
	status := func(path string, body []byte, hdr map[string]string) int {
		resp, _ := s.do(t, http.MethodPost, path, body, hdr)
		return resp.StatusCode
	}

	inv := next()
	if got := status("invocation/not-the-id/response", []byte(`{}`), nil); got != http.StatusBadRequest {
		t.Errorf("response for unknown id = %d, want 400", got)
	}
	if got := status("invocation/"+inv.id+"/response", []byte(`"ok"`), nil); got != http.StatusAccepted {
		t.Errorf("response = %d, want 202", got)
	}
	if r := <-inv.result; string(r.Payload) != `"ok"` || r.FunctionError != "" {
		t.Errorf("result = %+v", r)
	}
	if got := status("invocation/"+inv.id+"/response", []byte(`"again"`), nil); got != http.StatusBadRequest {
		t.Errorf("second response = %d, want 400", got)
	}
	if got := status("init/error", []byte(`{}`), nil); got != http.StatusForbidden {
		t.Errorf("init error after init = %d, want 403", got)
	}

	inv = next()
	hdr := map[string]string{hdrErrorType: "Custom.Failure"}
	if got := status("invocation/"+inv.id+"/error", []byte("not json"), hdr); got != http.StatusAccepted {
		t.Errorf("error post = %d, want 202", got)
	}
	var e protocol.FunctionError
	r := <-inv.result
	if err := json.Unmarshal(r.Payload, &e); err != nil || r.FunctionError != "Unhandled" ||
		e.ErrorType != "Custom.Failure" || e.ErrorMessage != "not json" {
		t.Errorf("error result = %+v (%s)", r, r.Payload)
	}

	inv = next()
	doc := `{"errorMessage":"boom","errorType":"errorString","stackTrace":[]}`
	if got := status("invocation/"+inv.id+"/error", []byte(doc), nil); got != http.StatusAccepted {
		t.Errorf("error post = %d, want 202", got)
	}
	if r := <-inv.result; string(r.Payload) != doc {
		t.Errorf("error document not passed through: %s", r.Payload)
	}

	inv = next()
	big := bytes.Repeat([]byte("x"), MaxSyncPayload+1)
	if got := status("invocation/"+inv.id+"/response", big, nil); got != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized response = %d, want 413", got)
	}
	r = <-inv.result
	if !strings.Contains(string(r.Payload), `"errorType":"Function.ResponseSizeTooLarge"`) {
		t.Errorf("oversized response result = %s", r.Payload)
	}
}

func TestRuntimeAPIInitError(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	resp, _ := s.do(t, http.MethodPost, "init/error", []byte(`{"errorMessage":"no table","errorType":"ConfigError"}`), nil)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("init error = %d, want 202", resp.StatusCode)
	}
	<-s.p.initFailed
	if !strings.Contains(string(s.p.initErr.Payload), `"errorType":"ConfigError"`) {
		t.Fatalf("init error recorded as %s", s.p.initErr.Payload)
	}
}

func TestRuntimeAPIRefusesEventForExitedProcess(t *testing.T) {
	t.Parallel()
	s := newScripted(t)
	inv := newInvocation([]byte(`{}`))
	close(s.p.exited)
	// Nobody is waiting in "next" and the process is gone: the pool must be
	// able to see that instead of blocking.
	select {
	case s.p.assign <- inv:
		t.Fatal("an exited process accepted an event")
	case <-s.p.exited:
	}
	if resp, body := s.do(t, http.MethodGet, "invocation/next", nil, nil); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("next on an exited process = %d %s, want 500", resp.StatusCode, body)
	}
}
