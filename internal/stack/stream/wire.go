package stream

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

// New builds the handler from the function's environment: the event stream and the management
// API client on the SDK's default AWS configuration.
func New(ctx context.Context, getenv lambdaenv.Getenv, log *slog.Logger) (*Handler, error) {
	endpoint, err := lambdaenv.LoadManagementEndpoint(getenv)
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	streamCfg, err := lambdaenv.LoadStream(getenv)
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	awsCfg, err := lambdaenv.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("stream: %w", err)
	}
	store := eventstream.New(dynamodb.NewFromConfig(awsCfg), streamCfg.Table, eventstream.Options{Retention: streamCfg.Retention})
	return &Handler{Stream: store, Poster: fanout.NewManagementClient(awsCfg, endpoint), Logger: log}, nil
}
