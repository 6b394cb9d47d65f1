package devhost

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
)

// startDynamoDB uses the configured endpoint or starts a server of its own, then creates the
// template's missing tables there.
func (h *Host) startDynamoDB(ctx context.Context) error {
	h.dynamoEP = h.opts.DynamoDBEndpoint
	if h.dynamoEP == "" {
		kind := h.opts.DynamoDBServer
		srv, err := dynamoserver.Start(ctx, dynamoserver.Options{Kind: kind, ModuleRoot: h.opts.ModuleRoot,
			Output: prefixed(h.opts.Output, string(kind))})
		if err != nil {
			return fmt.Errorf("start DynamoDB: %w", err)
		}
		h.dynamo, h.dynamoEP = srv, srv.Endpoint
	}
	h.db = dynamodb.NewFromConfig(h.awsConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(h.dynamoEP) })
	_, err := h.ensureTables(ctx)
	return err
}

// ensureTables creates the template's missing tables and reports the ones it created.
func (h *Host) ensureTables(ctx context.Context) ([]string, error) {
	created, err := dynamoserver.EnsureTables(ctx, h.db, h.tmpl.Tables)
	if err != nil {
		return created, fmt.Errorf("DynamoDB at %s: %w", h.dynamoEP, err)
	}
	for _, name := range created {
		h.opts.Logger.Info("created table", "table", name, "endpoint", h.dynamoEP)
	}
	return created, nil
}
