package gateway

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/agentbridge/agentbridge/internal/local/bodydeadline"
)

// statusError is an error that leaves the package as an HTTP response. errType, when
// set, goes into X-Amzn-ErrorType so the AWS SDKs build their typed exceptions.
type statusError struct {
	status  int
	errType string
	message string
}

func (e *statusError) Error() string { return e.message }

// Handshake refusals. A failing $connect integration answers 502, as API Gateway does
// for a Lambda proxy integration that errors or returns a malformed response; a
// failing authorizer (other than "Unauthorized") answers 500, as AWS's
// AuthorizerConfigurationException does; a timed-out integration answers 504.
var (
	errNotUpgrade         = &statusError{status: http.StatusUpgradeRequired, message: "Upgrade Required"}
	errShuttingDown       = &statusError{status: http.StatusServiceUnavailable, message: "Service Unavailable"}
	errUnauthorized       = &statusError{status: http.StatusUnauthorized, message: "Unauthorized"}
	errAccessDenied       = &statusError{status: http.StatusForbidden, message: "Forbidden"}
	errAuthorizerFailure  = &statusError{status: http.StatusInternalServerError, message: "Internal server error"}
	errIntegrationFailure = &statusError{status: http.StatusBadGateway, message: "Internal server error"}
	errIntegrationTimeout = &statusError{status: http.StatusGatewayTimeout, message: "Endpoint request timed out"}
)

// Management API errors, named as in the apigatewaymanagementapi model.
var (
	errGone            = &statusError{http.StatusGone, "GoneException", "Gone"}
	errPayloadTooLarge = &statusError{http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Message too long"}
	errLimitExceeded   = &statusError{http.StatusTooManyRequests, "LimitExceededException", "Limit exceeded: the connection's buffer is full"}
	errForbidden       = &statusError{http.StatusForbidden, "ForbiddenException", "Forbidden"}
	errInternal        = &statusError{http.StatusInternalServerError, "InternalServerErrorException", "Internal server error"}
	// errRequestTimeout answers a body that did not arrive in time (see bodydeadline).
	errRequestTimeout = &statusError{http.StatusRequestTimeout, "RequestTimeoutException", "Request body not received in time"}
)

func errBadRequest(message string) error {
	return &statusError{http.StatusBadRequest, "BadRequestException", message}
}

// asStatusError maps every error to the response it becomes: the one place where
// internal errors meet HTTP.
func asStatusError(err error) *statusError {
	var se *statusError
	switch {
	case errors.Is(err, bodydeadline.ErrTimeout):
		return errRequestTimeout
	case errors.As(err, &se):
		return se
	case errors.Is(err, errQueueFull):
		return errLimitExceeded
	case errors.Is(err, errConnClosed):
		return errGone
	}
	return errInternal
}

// writeError writes err as a JSON {"message": ...} response.
func writeError(w http.ResponseWriter, err error) {
	se := asStatusError(err)
	if se.errType != "" {
		w.Header().Set("X-Amzn-ErrorType", se.errType)
	}
	writeJSON(w, se.status, map[string]string{"message": se.message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"message":"Internal server error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
