package emit

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

// New builds the handler from the function's environment: the event stream, the connection
// store and the management API client on the SDK's default AWS configuration.
func New(ctx context.Context, getenv lambdaenv.Getenv, log *slog.Logger) (*Handler, error) {
	endpoint, err := lambdaenv.LoadManagementEndpoint(getenv)
	if err != nil {
		return nil, fmt.Errorf("emit: %w", err)
	}
	storeCfg, err := lambdaenv.LoadStore(getenv)
	if err != nil {
		return nil, fmt.Errorf("emit: %w", err)
	}
	streamCfg, err := lambdaenv.LoadStream(getenv)
	if err != nil {
		return nil, fmt.Errorf("emit: %w", err)
	}
	awsCfg, err := lambdaenv.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("emit: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	store := connstore.New(db, storeCfg.Table, connstore.Options{ConnectionIndex: storeCfg.Index})
	stream := eventstream.New(db, streamCfg.Table, eventstream.Options{Retention: streamCfg.Retention})
	poster := fanout.NewManagementClient(awsCfg, endpoint)
	return &Handler{Deliverer: fanout.New(store, poster, fanout.Options{Logger: log}), Stream: stream, Logger: log}, nil
}
