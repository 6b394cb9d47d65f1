package devhost

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

// remoteInvoker runs integrations through an external Lambda Invoke API. The host's own
// Lambda emulation (*lambdahost.Host) is an Invoker as it is.
type remoteInvoker struct{ client *lambda.Client }

func newRemoteInvoker(cfg aws.Config, endpoint string) remoteInvoker {
	return remoteInvoker{client: lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})}
}

func (r remoteInvoker) Invoke(ctx context.Context, function string, payload []byte) (lambdahost.Result, error) {
	out, err := r.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &function, Payload: payload})
	if err != nil {
		return lambdahost.Result{}, fmt.Errorf("invoke %s: %w", function, err)
	}
	return lambdahost.Result{Payload: out.Payload, FunctionError: aws.ToString(out.FunctionError)}, nil
}
