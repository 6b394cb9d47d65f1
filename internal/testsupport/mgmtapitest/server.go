// Package mgmtapitest is a recording stand-in for the API Gateway Management API, for tests of
// code that posts to connections. It speaks the real wire format (REST-JSON, error type in the
// X-Amzn-ErrorType header and a JSON message body), so the AWS SDK parses its answers into its
// typed errors, and it can be scripted to answer a connection with 410, 429 or 5xx.
package mgmtapitest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Failure is a scripted error answer.
type Failure struct {
	Status int    // e.g. 410
	Type   string // e.g. "GoneException"
	// Received records the post as delivered before answering the error, as when API Gateway
	// hands a message to the socket and then fails: the client sees the retried copy too.
	Received bool
}

// Common failures, as API Gateway answers them.
var (
	Gone          = Failure{Status: http.StatusGone, Type: "GoneException"}
	LimitExceeded = Failure{Status: http.StatusTooManyRequests, Type: "LimitExceededException"}
	InternalError = Failure{Status: http.StatusInternalServerError, Type: "InternalServerErrorException"}
	Forbidden     = Failure{Status: http.StatusForbidden, Type: "ForbiddenException"}
	// InternalErrorAfterDelivery is a 500 for a post that nonetheless reached the connection.
	InternalErrorAfterDelivery = Failure{Status: http.StatusInternalServerError, Type: "InternalServerErrorException", Received: true}
)

// Server records every successful post per connection id.
type Server struct {
	*httptest.Server
	stage string

	mu       sync.Mutex
	posts    map[string][][]byte
	attempts map[string]int
	script   map[string][]Failure // answered in order before posts succeed
	always   map[string]Failure
	stalled  map[string]bool
}

// New starts a server on 127.0.0.1 for stage. Its Endpoint is the management endpoint.
func New(stage string) *Server {
	s := &Server{stage: stage, posts: map[string][][]byte{}, attempts: map[string]int{},
		script: map[string][]Failure{}, always: map[string]Failure{}, stalled: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /"+stage+"/@connections/{id}", s.serve)
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, Failure{Status: http.StatusNotFound, Type: "NotFoundException"}, "no such route")
	})
	s.Server = httptest.NewServer(mux)
	return s
}

// Endpoint is the URL to configure as the management endpoint.
func (s *Server) Endpoint() string { return s.URL + "/" + s.stage }

// FailNext makes the next posts to id answer with fs, in order.
func (s *Server) FailNext(id string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[id] = append(s.script[id], fs...)
}

// FailAlways makes every post to id answer f.
func (s *Server) FailAlways(id string, f Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always[id] = f
}

// Stall makes every post to id hang until its caller gives up, as a management API that takes
// a request and never answers; a stalled post is counted as an attempt but not as a post.
func (s *Server) Stall(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stalled[id] = true
}

// Posts returns the bodies that reached id, in arrival order: successful posts and those
// answered with a Received failure.
func (s *Server) Posts(id string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.posts[id]...)
}

// Attempts returns how many posts to id arrived, failed ones included.
func (s *Server) Attempts(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts[id]
}

// serve is PostToConnection; the route's {id} arrives unescaped.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, _ := io.ReadAll(r.Body)
	if s.isStalled(id) {
		<-r.Context().Done()
		return
	}
	f, failed := s.next(id)
	if !failed || f.Received {
		s.mu.Lock()
		s.posts[id] = append(s.posts[id], body)
		s.mu.Unlock()
	}
	if failed {
		writeError(w, f, "scripted failure")
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) next(id string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[id]++
	if f, ok := s.always[id]; ok {
		return f, true
	}
	if q := s.script[id]; len(q) > 0 {
		s.script[id] = q[1:]
		return q[0], true
	}
	return Failure{}, false
}

func (s *Server) isStalled(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stalled[id] {
		s.attempts[id]++
	}
	return s.stalled[id]
}

func writeError(w http.ResponseWriter, f Failure, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", f.Type)
	w.WriteHeader(f.Status)
	fmt.Fprintf(w, `{"message":%q}`, msg)
}
