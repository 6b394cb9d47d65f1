// Package app builds each function's handler from its environment: configuration read once,
// AWS clients from the SDK's default chain (so AWS_ENDPOINT_URL_DYNAMODB and friends redirect
// them locally), and the handler wired to them. Construction errors are returned, never fatal.
package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/auth"
	"github.com/agentbridge/agentbridge/internal/config"
	"github.com/agentbridge/agentbridge/internal/connections"
	"github.com/agentbridge/agentbridge/internal/delivery"
	"github.com/agentbridge/agentbridge/internal/handlers"
)

// Connect builds the $connect handler.
func Connect(ctx context.Context, getenv config.Getenv, log *slog.Logger) (*handlers.Connect, error) {
	authCfg, err := config.LoadAuth(getenv)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	awsCfg, err := loadAWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	store, storeCfg, err := newStore(awsCfg, getenv)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	verifier, err := auth.NewVerifier(authCfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return &handlers.Connect{Verifier: verifier, Store: store, TTL: storeCfg.TTL, Logger: log}, nil
}

// Disconnect builds the $disconnect handler.
func Disconnect(ctx context.Context, getenv config.Getenv, log *slog.Logger) (*handlers.Disconnect, error) {
	awsCfg, err := loadAWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("disconnect: %w", err)
	}
	store, _, err := newStore(awsCfg, getenv)
	if err != nil {
		return nil, fmt.Errorf("disconnect: %w", err)
	}
	return &handlers.Disconnect{Store: store, Logger: log}, nil
}

// Emit builds the emit handler.
func Emit(ctx context.Context, getenv config.Getenv, log *slog.Logger) (*handlers.Emit, error) {
	endpoint, err := config.LoadManagementEndpoint(getenv)
	if err != nil {
		return nil, fmt.Errorf("emit: %w", err)
	}
	awsCfg, err := loadAWS(ctx)
	if err != nil {
		return nil, fmt.Errorf("emit: %w", err)
	}
	store, _, err := newStore(awsCfg, getenv)
	if err != nil {
		return nil, fmt.Errorf("emit: %w", err)
	}
	poster := delivery.NewManagementClient(awsCfg, endpoint)
	fanout := delivery.New(store, poster, delivery.Options{Logger: log})
	return &handlers.Emit{Deliverer: fanout, Logger: log}, nil
}

func newStore(awsCfg aws.Config, getenv config.Getenv) (*connections.Store, config.Store, error) {
	cfg, err := config.LoadStore(getenv)
	if err != nil {
		return nil, cfg, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	return connections.NewStore(db, cfg.Table, connections.Options{ConnectionIndex: cfg.Index}), cfg, nil
}

func loadAWS(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return cfg, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
