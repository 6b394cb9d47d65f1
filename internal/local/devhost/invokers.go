package devhost

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/internal/local/gateway"
	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

// localInvoker runs integrations on the host's own Lambda emulation.
type localInvoker struct{ host *lambdahost.Host }

func (l localInvoker) Invoke(ctx context.Context, function string, payload []byte) (gateway.InvokeResult, error) {
	r, err := l.host.Invoke(ctx, function, payload)
	return gateway.InvokeResult{Payload: r.Payload, FunctionError: r.FunctionError}, err
}

// remoteInvoker runs integrations through an external Lambda Invoke API.
type remoteInvoker struct{ client *lambda.Client }

func newRemoteInvoker(cfg aws.Config, endpoint string) remoteInvoker {
	return remoteInvoker{client: lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		o.BaseEndpoint = aws.String(endpoint)
	})}
}

func (r remoteInvoker) Invoke(ctx context.Context, function string, payload []byte) (gateway.InvokeResult, error) {
	out, err := r.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: &function, Payload: payload})
	if err != nil {
		return gateway.InvokeResult{}, fmt.Errorf("invoke %s: %w", function, err)
	}
	return gateway.InvokeResult{Payload: out.Payload, FunctionError: aws.ToString(out.FunctionError)}, nil
}
