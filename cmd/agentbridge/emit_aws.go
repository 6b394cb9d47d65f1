package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
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

// local reports whether the target is this machine, where dummy credentials are fine.
func (t *lambdaTarget) local() bool {
	if t.aws {
		return false
	}
	u, err := url.Parse(t.endpoint)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newLambdaClient builds the SDK client for the target. For a local endpoint it skips the
// EC2 metadata service (a slow miss off EC2) and falls back to static dummy credentials, which
// the local host does not check, so no AWS account is needed.
func newLambdaClient(ctx context.Context, t lambdaTarget) (*lambda.Client, error) {
	var opts []func(*config.LoadOptions) error
	if t.region != "" {
		opts = append(opts, config.WithRegion(t.region))
	}
	if t.local() {
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if t.local() && !hasCredentials(ctx, cfg) {
		cfg.Credentials = credentials.NewStaticCredentialsProvider("local", "local", "")
	}
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if !t.aws {
			o.BaseEndpoint = aws.String(t.endpoint)
		}
	}), nil
}

func hasCredentials(ctx context.Context, cfg aws.Config) bool {
	if cfg.Credentials == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := cfg.Credentials.Retrieve(ctx)
	return err == nil
}
