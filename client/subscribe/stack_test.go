package subscribe_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/client/subscribe"
	"github.com/agentbridge/agentbridge/protocol"
)

// hangGuard bounds every wait; it is never an assertion about speed.
const hangGuard = 10 * time.Second

// stack plays the server side of protocol v2 over a real WebSocket: it stores envelopes,
// answers resume, replay and ping, and lets a test push live envelopes and drop connections.
type stack struct {
	t   *testing.T
	srv *httptest.Server

	// Set before the first dial.
	limit   int         // events per resume or replay answer; 0 means protocol.MaxEventsPerAnswer
	silent  bool        // answer no resume or replay
	noPongs atomic.Bool // answer no ping (may change while connected)
	refuse  int         // answer every upgrade with this HTTP status

	mu     sync.Mutex
	events []protocol.Envelope // by ascending offset; offsets may skip
	head   int64
	conns  chan *stackConn
}

// stackConn is one accepted connection and what its client sent.
type stackConn struct {
	ws       *websocket.Conn
	token    string
	requests chan map[string]any
	closed   chan websocket.StatusCode // the client's close status, once it closed
}

func newStack(t *testing.T) *stack {
	s := &stack{t: t, conns: make(chan *stackConn, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *stack) url() string { return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/dev" }

func (s *stack) serve(w http.ResponseWriter, r *http.Request) {
	if s.refuse != 0 {
		http.Error(w, "refused", s.refuse)
		return
	}
	var token string
	offered := false
	for _, p := range strings.Split(r.Header.Get("Sec-WebSocket-Protocol"), ",") {
		p = strings.TrimSpace(p)
		offered = offered || p == subscribe.Subprotocol
		if tok, ok := strings.CutPrefix(p, "bearer."); ok {
			token = tok
		}
	}
	if !offered || token == "" {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{subscribe.Subprotocol}})
	if err != nil {
		return
	}
	c := &stackConn{ws: ws, token: token, requests: make(chan map[string]any, 100), closed: make(chan websocket.StatusCode, 1)}
	s.conns <- c
	for {
		_, data, err := ws.Read(s.t.Context())
		if err != nil {
			c.closed <- websocket.CloseStatus(err)
			return
		}
		var req map[string]any
		if json.Unmarshal(data, &req) != nil {
			continue
		}
		c.requests <- req
		s.answer(c, req)
	}
}

// answer plays the stack's side of one control message.
func (s *stack) answer(c *stackConn, req map[string]any) {
	after, _ := req["after"].(float64)
	switch req["action"] {
	case protocol.ActionPing:
		if !s.noPongs.Load() {
			c.sendJSON(s.t, protocol.Pong{Type: protocol.TypePong})
		}
	case protocol.ActionResume:
		if s.silent {
			return
		}
		through, complete := s.answerEvents(c, int64(after), "")
		r := protocol.Resumed{Type: protocol.TypeResumed, After: int64(after), Through: through, Complete: complete}
		if !complete {
			r.Reason = protocol.ReasonLimit
		}
		c.sendJSON(s.t, r)
	case protocol.ActionReplay:
		if s.silent {
			return
		}
		run, _ := req["run_id"].(string)
		through, complete := s.answerEvents(c, int64(after), run)
		r := protocol.Replayed{Type: protocol.TypeReplayed, RunID: run, Through: through, Complete: complete}
		if !complete {
			r.Reason = protocol.ReasonLimit
		}
		c.sendJSON(s.t, r)
	}
}

// answerEvents sends the stored events after an offset (of one run, when run is set), at
// most limit; through is the head when complete, else the last offset sent.
func (s *stack) answerEvents(c *stackConn, after int64, run string) (through int64, complete bool) {
	limit := s.limit
	if limit == 0 {
		limit = protocol.MaxEventsPerAnswer
	}
	s.mu.Lock()
	var out []protocol.Envelope
	complete = true
	for _, e := range s.events {
		if e.Offset <= after || (run != "" && e.RunID != run) {
			continue
		}
		if len(out) == limit {
			complete = false
			break
		}
		out = append(out, e)
	}
	through = s.head
	if run != "" {
		through = after
		if len(out) > 0 {
			through = out[len(out)-1].Offset
		}
	}
	s.mu.Unlock()
	if !complete {
		through = out[len(out)-1].Offset
	}
	for _, e := range out {
		c.sendJSON(s.t, e)
	}
	return through, complete
}

// store keeps envelopes without sending them; offsets must ascend.
func (s *stack) store(envs ...protocol.Envelope) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range envs {
		s.events = append(s.events, e)
		s.head = max(s.head, e.Offset)
	}
}

// setHead reserves offsets without storing events (skipped offsets).
func (s *stack) setHead(h int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.head = max(s.head, h)
}

// accept waits for the next connection.
func (s *stack) accept(t *testing.T) *stackConn {
	t.Helper()
	select {
	case c := <-s.conns:
		return c
	case <-time.After(hangGuard):
		t.Fatal("no connection")
		return nil
	}
}

func (c *stackConn) sendJSON(t testing.TB, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		t.Errorf("encode: %v", err)
		return
	}
	// A write to a connection the test dropped fails; the client recovers by resuming.
	_ = c.ws.Write(t.Context(), websocket.MessageText, data)
}

// request waits for the next message the client sent.
func (c *stackConn) request(t *testing.T) map[string]any {
	t.Helper()
	select {
	case r := <-c.requests:
		return r
	case <-time.After(hangGuard):
		t.Fatal("client sent nothing")
		return nil
	}
}

// requestOf waits for the next message of one action, skipping pings.
func (c *stackConn) requestOf(t *testing.T, action string) map[string]any {
	t.Helper()
	for {
		if r := c.request(t); r["action"] == action {
			return r
		} else if r["action"] != protocol.ActionPing {
			t.Fatalf("client sent %v, want a %s", r, action)
		}
	}
}

func env(offset int64, run string) protocol.Envelope {
	seq := offset
	return protocol.Envelope{
		Type: protocol.AgentThinking, EventID: fmt.Sprintf("evt_%d", offset), Offset: offset, RunID: run,
		Seq: &seq, Timestamp: "2026-01-20T11:55:00.301Z", Payload: json.RawMessage(fmt.Sprintf(`{"text":"event %d"}`, offset)),
	}
}

func envs(run string, offsets ...int64) []protocol.Envelope {
	out := make([]protocol.Envelope, len(offsets))
	for i, o := range offsets {
		out[i] = env(o, run)
	}
	return out
}
