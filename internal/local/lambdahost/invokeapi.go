package lambdahost

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/agentbridge/agentbridge/internal/local/bodydeadline"
)

// Invoke API headers (2015-03-31).
const (
	hdrInvocationType  = "X-Amz-Invocation-Type"
	hdrLogType         = "X-Amz-Log-Type"
	hdrLogResult       = "X-Amz-Log-Result"
	hdrFunctionError   = "X-Amz-Function-Error"
	hdrExecutedVersion = "X-Amz-Executed-Version"
	hdrAmznRequestID   = "X-Amzn-Requestid"
	hdrAmznErrorType   = "X-Amzn-Errortype"
	hdrAmzClientCtx    = "X-Amz-Client-Context"
)

// drainLimit is how much of an oversized request body is read and dropped so
// that the client sees the 413 rather than a reset connection.
const drainLimit = 64 * 1024 * 1024

// The Invoke API's endpoints are ServeInvoke and ServeGetFunction; the route's {name}
// wildcard holds the function name, alias or ARN. Requests may be SigV4-signed; the signature
// is not checked. devhost's router.go routes them beside the WebSocket API.

// Handler serves the Invoke API alone, for a process that serves nothing else (benchmarks,
// this package's tests), with the routes devhost's router gives it.
func (h *Host) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", h.ServeInvoke)
	mux.HandleFunc("GET /2015-03-31/functions/{name}", h.ServeGetFunction)
	return bodydeadline.Handler(mux, h.cfg.BodyTimeout)
}

// ServeInvoke is Invoke: POST /2015-03-31/functions/{name}/invocations.
func (h *Host) ServeInvoke(w http.ResponseWriter, r *http.Request) {
	typ := r.Header.Get(hdrInvocationType)
	limit, ok := payloadLimit(typ)
	if !ok {
		writeAPIError(w, invalidParameter(fmt.Sprintf("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", typ)))
		return
	}
	f, err := h.lookup(functionRef(r))
	if err != nil {
		writeAPIError(w, err)
		return
	}
	inv, err := readInvocation(r, limit)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	inv.functionARN = f.arn
	w.Header().Set(hdrAmznRequestID, inv.id)
	switch typ {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	case "Event":
		if err := h.invokeAsync(f, inv); err != nil {
			writeAPIError(w, err)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		h.serveSync(w, r, f, inv)
	}
}

// payloadLimit is the request limit of an invocation type; ok is false for
// a type Lambda does not know.
func payloadLimit(typ string) (limit int, ok bool) {
	switch typ {
	case "", "RequestResponse", "DryRun":
		return MaxSyncPayload, true
	case "Event":
		return MaxAsyncPayload, true
	}
	return 0, false
}

func (h *Host) serveSync(w http.ResponseWriter, r *http.Request, f *function, inv *invocation) {
	res, err := f.invoke(r.Context(), inv)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "application/json")
	hd.Set(hdrExecutedVersion, "$LATEST")
	if res.FunctionError != "" {
		hd.Set(hdrFunctionError, res.FunctionError)
	}
	if r.Header.Get(hdrLogType) == "Tail" {
		hd.Set(hdrLogResult, base64.StdEncoding.EncodeToString(inv.logs()))
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.Payload)
}

// functionRef is the function named in the path, with ?Qualifier= applied.
func functionRef(r *http.Request) string {
	name := r.PathValue("name")
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		if _, inName := splitFunctionName(name); inName == "" {
			name += ":" + q
		}
	}
	return name
}

// readInvocation reads and checks the payload and client context.
func readInvocation(r *http.Request, limit int) (*invocation, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("read invoke payload: %w", err)
	}
	if len(body) > limit {
		_, _ = io.CopyN(io.Discard, r.Body, drainLimit)
		return nil, tooLarge(limit)
	}
	if len(body) == 0 {
		body = []byte("{}") // what the console and CLI send for "no payload"
	}
	if !json.Valid(body) {
		return nil, &apiError{http.StatusBadRequest, "InvalidRequestContentException", "User",
			"Could not parse request body into json: Unexpected character"}
	}
	inv := newInvocation(body)
	if cc := r.Header.Get(hdrAmzClientCtx); cc != "" {
		raw, err := base64.StdEncoding.DecodeString(cc)
		if err != nil || !json.Valid(raw) {
			return nil, &apiError{http.StatusBadRequest, "InvalidRequestContentException", "User",
				"Client context must be a valid Base64-encoded JSON object."}
		}
		inv.clientContext = string(raw)
	}
	return inv, nil
}

// ServeGetFunction is GetFunction, GET /2015-03-31/functions/{name}, answered with a
// minimal configuration.
func (h *Host) ServeGetFunction(w http.ResponseWriter, r *http.Request) {
	f, err := h.lookup(functionRef(r))
	if err != nil {
		writeAPIError(w, err)
		return
	}
	s := f.spec
	doc := map[string]any{"Configuration": map[string]any{
		"FunctionName": s.Name, "FunctionArn": f.arn, "Runtime": s.Runtime, "Handler": s.Handler,
		"Timeout": int(s.Timeout.Seconds()), "MemorySize": s.MemoryMB, "Version": "$LATEST",
		"State": "Active", "LastUpdateStatus": "Successful", "PackageType": "Zip",
	}}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

// apiError is an Invoke API error as the service reports it; the SDK picks
// its typed error from X-Amzn-ErrorType.
type apiError struct {
	status  int
	code    string
	kind    string // "User" or "Service"
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func invalidParameter(msg string) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterValueException", "User", msg}
}

func tooLarge(limit int) *apiError {
	return &apiError{http.StatusRequestEntityTooLarge, "RequestTooLargeException", "User",
		fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit)}
}

// writeAPIError is the one place where errors become Invoke API responses.
func writeAPIError(w http.ResponseWriter, err error) {
	var ae *apiError
	var nf *notFoundError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &nf):
		ae = &apiError{http.StatusNotFound, "ResourceNotFoundException", "User", "Function not found: " + nf.name}
	case errors.Is(err, ErrRequestTooLarge):
		ae = tooLarge(MaxSyncPayload)
	case errors.Is(err, bodydeadline.ErrTimeout):
		ae = &apiError{http.StatusRequestTimeout, "RequestTimeoutException", "User", err.Error()}
	case errors.Is(err, ErrHostClosed):
		ae = &apiError{http.StatusServiceUnavailable, "ServiceException", "Service", "the local Lambda host is shutting down"}
	default:
		ae = &apiError{http.StatusInternalServerError, "ServiceException", "Service", "internal error"}
	}
	body, _ := json.Marshal(map[string]string{"Type": ae.kind, "message": ae.message})
	w.Header().Set(hdrAmznErrorType, ae.code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(ae.status)
	_, _ = w.Write(body)
}
