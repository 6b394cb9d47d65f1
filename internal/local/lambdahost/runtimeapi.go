package lambdahost

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/agentbridge/agentbridge/internal/local/bodydeadline"

	"github.com/agentbridge/agentbridge/protocol"
)

// Runtime API header names (2018-06-01).
const (
	hdrRequestID       = "Lambda-Runtime-Aws-Request-Id"
	hdrDeadline        = "Lambda-Runtime-Deadline-Ms"
	hdrFunctionARN     = "Lambda-Runtime-Invoked-Function-Arn"
	hdrTraceID         = "Lambda-Runtime-Trace-Id"
	hdrClientContext   = "Lambda-Runtime-Client-Context"
	hdrCognitoIdentity = "Lambda-Runtime-Cognito-Identity"
	hdrErrorType       = "Lambda-Runtime-Function-Error-Type"
	hdrErrorBody       = "Lambda-Runtime-Function-Error-Body"
)

// maxErrorBody bounds an error document a runtime may post.
const maxErrorBody = 1024 * 1024

// runtimeAPI is the table of contents of what a function process may call. Bodies must
// arrive within bodyTimeout; next, a GET, may wait as long as it likes.
func (p *process) runtimeAPI(bodyTimeout time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", p.handleNext)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", p.handleResponse)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", p.handleError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", p.handleInitError)
	return bodydeadline.Handler(mux, bodyTimeout)
}

// handleNext blocks until the pool assigns an invocation to this process.
func (p *process) handleNext(w http.ResponseWriter, r *http.Request) {
	p.markReady()
	select {
	case inv := <-p.assign:
		inv.handoff <- p.deliver(w, r, inv)
	case <-r.Context().Done():
	case <-p.exited:
		exitedError(w)
	}
}

// exitedError answers a call from a runtime already reaped; never an empty
// 200, which a runtime would read as an event.
func exitedError(w http.ResponseWriter) {
	runtimeError(w, http.StatusInternalServerError, "Runtime.ExitError", "the runtime has exited")
}

// deliver writes the event to the runtime and reports whether it was taken.
// An event for a process that is already gone goes back to the pool.
func (p *process) deliver(w http.ResponseWriter, r *http.Request, inv *invocation) bool {
	if p.hasExited() || r.Context().Err() != nil {
		exitedError(w)
		return false
	}
	p.current.Store(inv)
	h := w.Header()
	h.Set(hdrRequestID, inv.id)
	h.Set(hdrDeadline, strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set(hdrFunctionARN, inv.functionARN)
	h.Set(hdrTraceID, inv.traceID)
	if inv.clientContext != "" {
		h.Set(hdrClientContext, inv.clientContext)
	}
	if inv.cognitoIdentity != "" {
		h.Set(hdrCognitoIdentity, inv.cognitoIdentity)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(inv.payload)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(inv.payload)
	if err == nil {
		err = http.NewResponseController(w).Flush()
	}
	if err != nil {
		p.current.CompareAndSwap(inv, nil)
		return false
	}
	return true
}

// handleResponse records the function's result.
func (p *process) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv, ok := p.taken(w, r)
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxSyncPayload+1))
	if err != nil {
		bodyReadFailed(w, err, "could not read the response body")
		return
	}
	result := Result{Payload: body}
	tooLarge := len(body) > MaxSyncPayload
	switch {
	case tooLarge:
		result = failure("Function.ResponseSizeTooLarge",
			"Response payload size exceeded maximum allowed payload size (%d bytes).", MaxSyncPayload)
	case r.Trailer.Get(hdrErrorType) != "":
		// aws-lambda-go reports a failure while streaming the body in trailers.
		result = trailerFailure(r.Trailer)
	}
	switch {
	case !p.answer(inv, result):
		runtimeError(w, http.StatusForbidden, "InvalidStateTransition", "invocation already completed")
	case tooLarge:
		runtimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response payload too large")
	default:
		accepted(w)
	}
}

// handleError records a function error such as a returned error or a panic.
func (p *process) handleError(w http.ResponseWriter, r *http.Request) {
	inv, ok := p.taken(w, r)
	if !ok {
		return
	}
	result, ok := readErrorPost(w, r, "Runtime.Unknown")
	if !ok {
		return
	}
	if !p.answer(inv, result) {
		runtimeError(w, http.StatusForbidden, "InvalidStateTransition", "invocation already completed")
		return
	}
	accepted(w)
}

// handleInitError records a failed initialisation; the pool then discards
// the process, as Lambda discards the sandbox.
func (p *process) handleInitError(w http.ResponseWriter, r *http.Request) {
	if p.isReady() {
		runtimeError(w, http.StatusForbidden, "InvalidStateTransition", "init already completed")
		return
	}
	result, ok := readErrorPost(w, r, "Runtime.InitError")
	if !ok {
		return
	}
	p.failInit(result)
	accepted(w)
}

// taken returns the invocation named in the path if this process holds it.
func (p *process) taken(w http.ResponseWriter, r *http.Request) (*invocation, bool) {
	inv := p.current.Load()
	if inv == nil || inv.id != r.PathValue("id") {
		runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil, false
	}
	return inv, true
}

// answer settles inv with the runtime's result and reports whether it
// counted: a second answer, or one that lost to a timeout, does not.
func (p *process) answer(inv *invocation, result Result) bool {
	p.current.CompareAndSwap(inv, nil)
	return inv.settle(result)
}

// readErrorPost turns a posted error into a caller-facing error document.
// A body that is not JSON is wrapped using the error-type header.
func readErrorPost(w http.ResponseWriter, r *http.Request, defaultType string) (Result, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxErrorBody+1))
	if err != nil {
		bodyReadFailed(w, err, "could not read the error body")
		return Result{}, false
	}
	if len(body) > maxErrorBody {
		runtimeError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "error payload too large")
		return Result{}, false
	}
	var doc protocol.FunctionError
	if json.Unmarshal(body, &doc) == nil && doc.ErrorType != "" {
		return Result{Payload: body, FunctionError: functionErrorUnhandled}, true
	}
	errType := r.Header.Get(hdrErrorType)
	if errType == "" {
		errType = defaultType
	}
	return failure(errType, "%s", body), true
}

// trailerFailure decodes the error aws-lambda-go sends in trailers when the
// response stream fails part-way.
func trailerFailure(t http.Header) Result {
	if body, err := base64.StdEncoding.DecodeString(t.Get(hdrErrorBody)); err == nil && json.Valid(body) {
		return Result{Payload: body, FunctionError: functionErrorUnhandled}
	}
	return failure(t.Get(hdrErrorType), "response stream failed")
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

// runtimeError answers the runtime in the Runtime API's error shape.
// bodyReadFailed answers a body that could not be read: 408 when it did not arrive in time.
func bodyReadFailed(w http.ResponseWriter, err error, msg string) {
	if errors.Is(err, bodydeadline.ErrTimeout) {
		runtimeError(w, http.StatusRequestTimeout, "RequestTimeout", err.Error())
		return
	}
	runtimeError(w, http.StatusBadRequest, "InvalidRequest", msg)
}

func runtimeError(w http.ResponseWriter, status int, errType, msg string) {
	body, _ := json.Marshal(protocol.FunctionError{ErrorType: errType, ErrorMessage: msg})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
