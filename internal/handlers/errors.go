package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"

	eventspkg "github.com/agentbridge/agentbridge/internal/events"
	"github.com/agentbridge/agentbridge/protocol"
)

// functionError maps an emit failure to the Lambda function error agents see: the request's
// own faults keep their protocol type, anything else is a retryable ServiceUnavailable.
// aws-lambda-go reports a messages.InvokeResponse_Error value verbatim, which is what makes the
// errorType stable rather than derived from a Go type name.
func functionError(err error) error {
	var e *eventspkg.Error
	if errors.As(err, &e) {
		return messages.InvokeResponse_Error{Type: e.Code, Message: e.Error()}
	}
	return messages.InvokeResponse_Error{Type: protocol.ErrorTypeUnavailable, Message: err.Error()}
}

func status(code int) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{StatusCode: code, Body: http.StatusText(code)}
}

func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

func clock(now func() time.Time) time.Time {
	if now == nil {
		return time.Now()
	}
	return now()
}
