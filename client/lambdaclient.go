package client

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Target says which Lambda Invoke API a client calls.
type Target struct {
	// Endpoint is an Invoke API URL such as http://127.0.0.1:3001 (the local host); empty means
	// AWS, with endpoint and credentials resolved the SDK's default way.
	Endpoint string
	// Region defaults to the SDK's configuration, else us-east-1.
	Region string
}

// NewLambdaClient builds the SDK's Lambda client for t. For a loopback endpoint it skips the
// EC2 metadata service (a slow miss off EC2) and, when no credentials are configured, uses
// dummy ones, which the local host does not check: no AWS account is needed to develop.
func NewLambdaClient(ctx context.Context, t Target) (*lambda.Client, error) {
	local := isLoopback(t.Endpoint)
	var opts []func(*config.LoadOptions) error
	if t.Region != "" {
		opts = append(opts, config.WithRegion(t.Region))
	}
	if local {
		opts = append(opts, config.WithEC2IMDSClientEnableState(imds.ClientDisabled))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if local && !hasCredentials(ctx, cfg) {
		cfg.Credentials = credentials.NewStaticCredentialsProvider("local", "local", "")
	}
	return lambda.NewFromConfig(cfg, func(o *lambda.Options) {
		if t.Endpoint != "" {
			o.BaseEndpoint = aws.String(t.Endpoint)
		}
	}), nil
}

func isLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || endpoint == "" {
		return false
	}
	if u.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
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
