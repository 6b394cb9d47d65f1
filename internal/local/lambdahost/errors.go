package lambdahost

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/agentbridge/agentbridge/protocol"
)

// Errors returned by the Go API. The Invoke API maps them to the service's
// error types in writeAPIError.
var (
	// ErrFunctionNotFound: no registered function has that name, alias or ARN.
	ErrFunctionNotFound = errors.New("function not found")
	// ErrRequestTooLarge: the payload exceeds the invocation type's limit.
	ErrRequestTooLarge = errors.New("request payload too large")
	// ErrHostClosed: the host has been closed.
	ErrHostClosed = errors.New("lambda host closed")
)

// notFoundError names the function that was asked for; it matches
// ErrFunctionNotFound with errors.Is.
type notFoundError struct{ name string }

func (e *notFoundError) Error() string        { return "function not found: " + e.name }
func (e *notFoundError) Is(target error) bool { return target == ErrFunctionNotFound }

// FunctionError value of a Result whose function failed, as Lambda's
// X-Amz-Function-Error header reports it.
const functionErrorUnhandled = "Unhandled"

// failure builds the Result of a failed invocation.
func failure(errorType, format string, args ...any) Result {
	body, _ := json.Marshal(protocol.FunctionError{ErrorType: errorType, ErrorMessage: fmt.Sprintf(format, args...)})
	return Result{Payload: body, FunctionError: functionErrorUnhandled}
}
