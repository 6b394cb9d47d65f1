package connect

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

// New builds the handler from the function's environment: the token verifier from the auth
// settings, the connection store and the stream's owner items on the SDK's default AWS
// configuration.
func New(ctx context.Context, getenv lambdaenv.Getenv, log *slog.Logger) (*Handler, error) {
	authCfg, err := auth.ConfigFromEnv(getenv)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	storeCfg, err := lambdaenv.LoadStore(getenv)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	streamCfg, err := lambdaenv.LoadStream(getenv)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	awsCfg, err := lambdaenv.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	verifier, err := auth.NewVerifier(authCfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	db := dynamodb.NewFromConfig(awsCfg)
	store := connstore.New(db, storeCfg.Table, connstore.Options{ConnectionIndex: storeCfg.Index})
	owners := eventstream.New(db, streamCfg.Table, eventstream.Options{Retention: streamCfg.Retention})
	return &Handler{Verifier: verifier, Store: store, Owners: owners, TTL: storeCfg.TTL, Logger: log}, nil
}
