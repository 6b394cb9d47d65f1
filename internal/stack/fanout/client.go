package fanout

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
)

// NewManagementClient returns a management API client for endpoint (https://{api}.execute-api.
// {region}.amazonaws.com/{stage}) whose retryer retries 429 LimitExceeded and 5xx with
// exponential backoff and jitter, and never retries 410 Gone.
func NewManagementClient(cfg aws.Config, endpoint string) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 5
			so.MaxBackoff = 2 * time.Second
			// A busy fan-out retries many connections at once; the default client-side retry
			// quota would turn that into failures, so the per-call attempt bound is the limit.
			so.RateLimiter = ratelimit.None
		})
	})
}
