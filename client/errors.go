package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/agentbridge/agentbridge/protocol"
)

// Error is a failed emit: an error the emit function reported, an error of the Invoke API, or
// a call the client refused before invoking. Match it with errors.As.
type Error struct {
	// Type is protocol.ErrorTypeValidation, ErrorTypePayloadTooLarge, ErrorTypeFanoutTooLarge or
	// ErrorTypeUnavailable for the emit function's errors, Lambda's type for a function that
	// stopped (Sandbox.Timedout, Runtime.ExitError), an AWS error code for the Invoke API's
	// (such as TooManyRequestsException or ResourceNotFoundException), ErrorTypeNetwork, or
	// "Unhandled" for a function that failed without a typed error body.
	Type string
	// Message explains the failure; for validation errors it names the field path.
	Message string
	// Retryable reports whether sending the same request again may succeed.
	Retryable bool
	// OutcomeUnknown reports that the emit function may have run and delivered some or all of
	// the request's events: the invoke timed out, the function crashed, or the connection was
	// lost after the request was sent. The client does not resend such a request unless
	// Config.ResendUnknownOutcome is set, because without the durable stream a resend delivers
	// again what was delivered.
	OutcomeUnknown bool
	// StatusCode is the Invoke API's HTTP status when there was one, else 0.
	StatusCode int
	// Err is the underlying SDK error, if any.
	Err error
}

// ErrorTypeNetwork is the Type of an invoke that got no HTTP response at all.
const ErrorTypeNetwork = "NetworkError"

// ErrClosed is returned by a Run's event calls after Close.
var ErrClosed = errors.New("agentbridge client: run closed")

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func (e *Error) Unwrap() error { return e.Err }

// validationf builds the client-side ValidationError for an obviously bad call.
func validationf(format string, args ...any) *Error {
	return &Error{Type: protocol.ErrorTypeValidation, Message: fmt.Sprintf(format, args...)}
}

// prefixed puts a field path prefix (such as "events[3].") before a validation message.
func prefixed(err error, format string, args ...any) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	p := *e
	p.Message = fmt.Sprintf(format, args...) + e.Message
	return &p
}

// functionError decodes the body of an invoke whose function failed.
func functionError(status int32, body []byte) *Error {
	var fe protocol.FunctionError
	if err := json.Unmarshal(body, &fe); err != nil || fe.ErrorType == "" {
		// A crash without a typed answer: the handler may have posted part of the request.
		return &Error{Type: "Unhandled", Message: string(body), Retryable: true, OutcomeUnknown: true, StatusCode: int(status)}
	}
	return &Error{
		Type:       fe.ErrorType,
		Message:    fe.ErrorMessage,
		Retryable:  protocol.Retryable(fe.ErrorType),
		StatusCode: int(status),
		// Emit's own error types are answered before anything is sent; any other type
		// (Sandbox.Timedout, Runtime.ExitError, ...) stopped the function part way.
		OutcomeUnknown: !emitErrorTypes[fe.ErrorType],
	}
}

// emitErrorTypes are the errors emit returns before it posts anything.
var emitErrorTypes = map[string]bool{
	protocol.ErrorTypeValidation:      true,
	protocol.ErrorTypePayloadTooLarge: true,
	protocol.ErrorTypeFanoutTooLarge:  true,
	protocol.ErrorTypeUnavailable:     true,
}

// retryables is the SDK's own judgement of which Invoke API failures are transient
// (throttling codes, 5xx, connection errors); reusing it keeps the client in step with the SDK.
var retryables = retry.IsErrorRetryables(retry.DefaultRetryables)

// sdkError classifies an error returned by Invoker.Invoke. Context cancellation is returned
// as is, so errors.Is(err, context.Canceled) holds.
func sdkError(err error) error {
	var canceled *aws.RequestCanceledError
	if errors.As(err, &canceled) {
		return err
	}
	e := &Error{Type: ErrorTypeNetwork, Message: err.Error(), Err: err}
	e.Retryable = retryables.IsErrorRetryable(err) == aws.TrueTernary
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		e.StatusCode = resp.HTTPStatusCode()
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		e.Type, e.Message = api.ErrorCode(), api.ErrorMessage()
	} else if e.StatusCode == 0 {
		// No response and no API error: the request never completed, which is worth another
		// try. Unless the connection was never made, the function may have run.
		e.Retryable = true
		e.OutcomeUnknown = !neverSent(err)
	}
	if e.StatusCode >= 500 || e.StatusCode == 429 {
		e.Retryable = true
	}
	return e
}

// neverSent reports a failure to reach the Invoke API at all: a failed name lookup or dial.
func neverSent(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial")
}

// retryable reports whether err is worth another attempt: a retryable error whose request
// cannot have been delivered, or any retryable one when resending unknown outcomes is allowed.
func (cfg Config) retryable(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Retryable && (!e.OutcomeUnknown || cfg.ResendUnknownOutcome)
}
