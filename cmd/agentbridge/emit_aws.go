package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/client"
)

// localLambdaEndpoint is where `agentbridge dev` serves the Invoke API.
const localLambdaEndpoint = "http://127.0.0.1:3001"

// lambdaTarget says which Invoke API to call: a given endpoint, or AWS as the SDK resolves it.
type lambdaTarget struct {
	// endpoint defaults to $AWS_ENDPOINT_URL_LAMBDA, else $AWS_ENDPOINT_URL, else the local host.
	endpoint string
	// aws uses the SDK's own endpoint and credential resolution.
	aws bool
	// region defaults to the SDK's resolution, else us-east-1.
	region string
}

func (t *lambdaTarget) register(fs *flag.FlagSet) {
	fs.StringVar(&t.endpoint, "endpoint", defaultLambdaEndpoint(), "Lambda Invoke API endpoint")
	fs.BoolVar(&t.aws, "aws", false, "call AWS, resolving endpoint, region and credentials the SDK's default way")
	fs.StringVar(&t.region, "region", "", "AWS region (default: the SDK's configuration, else us-east-1)")
}

func (t *lambdaTarget) check(fs *flag.FlagSet) error {
	if t.aws {
		if flagSet(fs, "endpoint") {
			return errors.New("--endpoint and --aws exclude each other")
		}
		return nil
	}
	u, err := url.Parse(t.endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--endpoint %q: want an http(s) URL", t.endpoint)
	}
	return nil
}

func defaultLambdaEndpoint() string {
	for _, name := range []string{"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"} {
		if v := os.Getenv(name); v != "" {
			return v
		}
	}
	return localLambdaEndpoint
}

// newLambdaClient builds the SDK client for the target.
func newLambdaClient(ctx context.Context, t lambdaTarget) (*lambda.Client, error) {
	target := client.Target{Endpoint: t.endpoint, Region: t.region}
	if t.aws {
		target.Endpoint = ""
	}
	return client.NewLambdaClient(ctx, target)
}
