package protocol

// Error types a failed emit reports as the Lambda function error's errorType. They are stable:
// agents branch on them.
const (
	// ErrorTypeValidation: the request is malformed; retrying the same request cannot succeed.
	ErrorTypeValidation = "ValidationError"
	// ErrorTypePayloadTooLarge: an event's envelope exceeds MaxEnvelopeBytes; nothing was sent.
	ErrorTypePayloadTooLarge = "PayloadTooLarge"
	// ErrorTypeFanoutTooLarge: events x the user's connections exceeds MaxDeliveriesPerInvoke;
	// nothing was sent. Send the events in smaller requests (the message says how many fit).
	ErrorTypeFanoutTooLarge = "FanoutTooLarge"
	// ErrorTypeUnavailable: a dependency (the connection store) failed; the request may be retried.
	ErrorTypeUnavailable = "ServiceUnavailable"
)

// FunctionError is the body Lambda returns for a failed invoke.
type FunctionError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// Retryable reports whether an emit that failed with this error type may succeed when retried.
func Retryable(errorType string) bool {
	return errorType != ErrorTypeValidation && errorType != ErrorTypePayloadTooLarge &&
		errorType != ErrorTypeFanoutTooLarge
}
