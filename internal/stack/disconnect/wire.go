package disconnect

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

// New builds the handler from the function's environment.
func New(ctx context.Context, getenv lambdaenv.Getenv, log *slog.Logger) (*Handler, error) {
	storeCfg, err := lambdaenv.LoadStore(getenv)
	if err != nil {
		return nil, fmt.Errorf("disconnect: %w", err)
	}
	awsCfg, err := lambdaenv.AWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("disconnect: %w", err)
	}
	store := connstore.New(dynamodb.NewFromConfig(awsCfg), storeCfg.Table, connstore.Options{ConnectionIndex: storeCfg.Index})
	return &Handler{Store: store, Logger: log}, nil
}
