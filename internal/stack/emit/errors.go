package emit

import (
	"errors"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/protocol"
)

// functionError maps an emit failure to the Lambda function error agents see: the request's
// own faults keep their protocol type, anything else is a retryable ServiceUnavailable.
// aws-lambda-go reports a messages.InvokeResponse_Error value verbatim, which is what makes the
// errorType stable rather than derived from a Go type name.
func functionError(err error) error {
	var e *eventcodec.Error
	if errors.As(err, &e) {
		return messages.InvokeResponse_Error{Type: e.Code, Message: e.Error()}
	}
	var large *fanout.TooLargeError
	if errors.As(err, &large) {
		return messages.InvokeResponse_Error{Type: protocol.ErrorTypeFanoutTooLarge, Message: large.Error()}
	}
	return messages.InvokeResponse_Error{Type: protocol.ErrorTypeUnavailable, Message: err.Error()}
}
