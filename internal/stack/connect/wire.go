package connect

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

// New builds the handler from the function's environment: the token verifier from the auth
// settings and the connection store on the SDK's default AWS configuration.
func New(ctx context.Context, getenv lambdaenv.Getenv, log *slog.Logger) (*Handler, error) {
	authCfg, err := auth.ConfigFromEnv(getenv)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	storeCfg, err := lambdaenv.LoadStore(getenv)
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
	store := connstore.New(dynamodb.NewFromConfig(awsCfg), storeCfg.Table, connstore.Options{ConnectionIndex: storeCfg.Index})
	return &Handler{Verifier: verifier, Store: store, TTL: storeCfg.TTL, Logger: log}, nil
}
