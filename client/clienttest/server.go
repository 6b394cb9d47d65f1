package clienttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/protocol"
)

// Invoke is one recorded Invoke API call.
type Invoke struct {
	// N numbers the calls from 1 in arrival order.
	N int
	// Function is the function name from the path.
	Function string
	// InvocationType is the X-Amz-Invocation-Type header (RequestResponse when absent).
	InvocationType string
	// UserID and Events are the decoded emit request.
	UserID string
	Events []protocol.Event
	// Body is the raw request body.
	Body []byte
}

// Response is how Server answers one invoke. The zero value answers success.
type Response struct {
	// FunctionError, when set, answers 200 with X-Amz-Function-Error: Unhandled and this body,
	// the way Lambda reports an error returned by the function.
	FunctionError *protocol.FunctionError
	// ErrorCode, when set, answers an Invoke API error with this code (such as
	// TooManyRequestsException) and Status, default 500.
	ErrorCode string
	// Status is the HTTP status of an ErrorCode answer.
	Status int
	// Report is the delivery report of a success. Default: every event delivered to one
	// connection.
	Report *protocol.DeliveryReport
}

// Responder decides the answer to an invoke.
type Responder func(Invoke) Response

// Server is a recording Invoke API stand-in. Create it with NewServer and Close it when done.
type Server struct {
	// URL is the server's base URL, for lambda.Options.BaseEndpoint.
	URL string

	srv     *httptest.Server
	respond Responder
	mu      sync.Mutex
	invokes []Invoke
}

// NewServer starts a Server on 127.0.0.1; a nil respond answers every invoke with success.
func NewServer(respond Responder) *Server {
	if respond == nil {
		respond = func(Invoke) Response { return Response{} }
	}
	s := &Server{respond: respond}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveInvoke))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// LambdaClient returns an SDK Lambda client pointed at the server with dummy credentials.
func (s *Server) LambdaClient() *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// Invokes returns the recorded invokes in arrival order.
func (s *Server) Invokes() []Invoke {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Invoke(nil), s.invokes...)
}

// Events returns the events of every recorded invoke, in arrival order.
func (s *Server) Events() []protocol.Event {
	var all []protocol.Event
	for _, inv := range s.Invokes() {
		all = append(all, inv.Events...)
	}
	return all
}

const invokePrefix = "/2015-03-31/functions/"

func (s *Server) serveInvoke(w http.ResponseWriter, r *http.Request) {
	fn, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, invokePrefix), "/invocations")
	if r.Method != http.MethodPost || !ok || !strings.HasPrefix(r.URL.Path, invokePrefix) {
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "no such route: "+r.URL.Path)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	inv := Invoke{Function: fn, InvocationType: r.Header.Get("X-Amz-Invocation-Type"), Body: body}
	if inv.InvocationType == "" {
		inv.InvocationType = "RequestResponse"
	}
	decodeErr := decode(body, &inv)
	s.mu.Lock()
	inv.N = len(s.invokes) + 1
	s.invokes = append(s.invokes, inv)
	s.mu.Unlock()
	if decodeErr != nil {
		writeFunctionError(w, protocol.FunctionError{ErrorType: protocol.ErrorTypeValidation, ErrorMessage: decodeErr.Error()})
		return
	}
	s.answer(w, inv, s.respond(inv))
}

func (s *Server) answer(w http.ResponseWriter, inv Invoke, resp Response) {
	switch {
	case resp.ErrorCode != "":
		status := resp.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		writeAPIError(w, status, resp.ErrorCode, "injected by clienttest")
	case resp.FunctionError != nil:
		writeFunctionError(w, *resp.FunctionError)
	case inv.InvocationType == "Event":
		w.WriteHeader(http.StatusAccepted)
	default:
		rep := resp.Report
		if rep == nil {
			n := len(inv.Events)
			rep = &protocol.DeliveryReport{Events: n, Connections: 1, Delivered: n}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(rep)
	}
}

// decode reads either request form into inv, refusing unknown fields.
func decode(body []byte, inv *Invoke) error {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(body, &probe); err != nil {
		return fmt.Errorf("request: not a JSON object: %w", err)
	}
	if _, batch := probe["events"]; batch {
		var req protocol.EmitRequest
		if err := strictUnmarshal(body, &req); err != nil {
			return err
		}
		inv.UserID, inv.Events = req.UserID, req.Events
		return nil
	}
	var single struct {
		UserID string `json:"user_id"`
		protocol.Event
	}
	if err := strictUnmarshal(body, &single); err != nil {
		return err
	}
	inv.UserID, inv.Events = single.UserID, []protocol.Event{single.Event}
	return nil
}

func strictUnmarshal(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("request: %w", err)
	}
	return nil
}

func writeFunctionError(w http.ResponseWriter, fe protocol.FunctionError) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Function-Error", "Unhandled")
	_ = json.NewEncoder(w).Encode(fe)
}

// writeAPIError answers the way the Invoke API reports its own errors: the code in
// X-Amzn-ErrorType and a JSON body with a message.
func writeAPIError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": msg})
}
