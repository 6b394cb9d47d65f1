package fanout

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
)

// NewManagementClient returns a management API client for endpoint (https://{api}.execute-api.
// {region}.amazonaws.com/{stage}) made for a Fanout:
//   - its retryer retries 5xx and connection errors a little (3 attempts, backoff under 500ms)
//     and never retries 429 LimitExceeded or 410 Gone: a 429 means that one connection's buffer
//     is full, and the Fanout's per-connection throttle budget decides what it costs;
//   - its HTTP pool keeps DefaultParallel idle connections to the endpoint, one per connection
//     the Fanout posts to at once, so a fan-out does not redial (and redo TLS) for most posts.
func NewManagementClient(cfg aws.Config, endpoint string) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.NewFromConfig(cfg, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.HTTPClient = pooledHTTPClient(DefaultParallel)
		o.Retryer = retry.NewStandard(func(so *retry.StandardOptions) {
			so.MaxAttempts = 3
			so.MaxBackoff = 500 * time.Millisecond
			so.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(notThrottling)}, so.Retryables...)
			// A busy fan-out retries many connections at once; the default client-side retry
			// quota would turn that into failures, so the per-call attempt bound is the limit.
			so.RateLimiter = ratelimit.None
		})
	})
}

// pooledHTTPClient is the SDK's default HTTP client with an idle pool of parallel connections
// per host. The number of connections per host is not capped: in a process that runs several
// fan-outs at once (tests, a host other than Lambda) a shared cap would let one request's slow
// posts queue another's.
func pooledHTTPClient(parallel int) *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConnsPerHost = parallel
		tr.MaxIdleConns = max(tr.MaxIdleConns, parallel)
	})
}

// notThrottling keeps the SDK from retrying a 429, which the Fanout handles itself.
func notThrottling(err error) aws.Ternary {
	if isThrottled(err) {
		return aws.FalseTernary
	}
	return aws.UnknownTernary
}
