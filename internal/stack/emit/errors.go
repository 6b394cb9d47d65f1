package emit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/stack/metrics"
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

// undelivered returns a DeliveryFailed error when the user had live connections and none of the
// request's messages reached one for a reason other than gone; nil otherwise. A report whose
// every connection was gone is still a success: there was nobody to deliver to.
func undelivered(r protocol.DeliveryReport) error {
	counts := metrics.ReadReport(r)
	if counts.UndeliveredReason() == "" {
		return nil
	}
	var parts []string
	for _, f := range []string{"failed", "throttled", "not_attempted", "gone"} {
		if n := counts[f]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", f, n))
		}
	}
	return messages.InvokeResponse_Error{
		Type: protocol.ErrorTypeDeliveryFailed,
		Message: fmt.Sprintf("no message of %d event(s) reached any of %d live connection(s): %s",
			r.Events, r.Connections, strings.Join(parts, ", ")),
	}
}

// errorType is the protocol error type of a function error; "" for nil.
func errorType(err error) string {
	if err == nil {
		return ""
	}
	var fe messages.InvokeResponse_Error
	if errors.As(err, &fe) {
		return fe.Type
	}
	return protocol.ErrorTypeUnavailable
}
