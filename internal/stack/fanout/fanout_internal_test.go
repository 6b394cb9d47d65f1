package fanout

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestWorkContextEndsAMarginBeforeTheDeadline(t *testing.T) {
	f := New(nil, nil, Options{})
	cases := []struct {
		name       string
		left, want time.Duration // want: how much earlier the work ends than the deadline
	}{
		{"Lambda's 29 s: the full margin", 29 * time.Second, DefaultDeadlineMargin},
		{"3 s: a tenth of it", 3 * time.Second, 300 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), tc.left)
			defer cancel()
			outer, _ := ctx.Deadline()
			work, stop := f.workContext(ctx)
			defer stop()
			inner, ok := work.Deadline()
			// time.Until in workContext runs a moment after WithTimeout: allow 50ms of drift.
			if got := outer.Sub(inner); !ok || got < tc.want-50*time.Millisecond || got > tc.want {
				t.Errorf("work ends %v before the deadline, want %v", got, tc.want)
			}
		})
	}
	work, stop := f.workContext(t.Context())
	defer stop()
	if _, ok := work.Deadline(); ok {
		t.Error("a context without a deadline got one")
	}
}

func TestThrottlingIsRecognisedByTypeOrStatus(t *testing.T) {
	status := func(code int) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("x")}}
	}
	cases := map[string]struct {
		err  error
		want bool
	}{
		"LimitExceededException": {&types.LimitExceededException{}, true},
		"bare 429":               {status(http.StatusTooManyRequests), true},
		"500":                    {status(http.StatusInternalServerError), false},
		"GoneException":          {&types.GoneException{}, false},
		"nil":                    {nil, false},
	}
	for name, tc := range cases {
		if got := isThrottled(tc.err); got != tc.want {
			t.Errorf("%s: isThrottled = %v, want %v", name, got, tc.want)
		}
	}
}
