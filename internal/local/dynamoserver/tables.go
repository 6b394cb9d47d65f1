package dynamoserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/agentbridge/agentbridge/internal/local/samtemplate"
)

// DB is the part of the DynamoDB client table set-up uses.
type DB interface {
	dynamodb.DescribeTableAPIClient
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	UpdateTimeToLive(ctx context.Context, in *dynamodb.UpdateTimeToLiveInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateTimeToLiveOutput, error)
}

// EnsureTables creates each table that does not exist yet and reports the names it created.
// Existing tables are left as they are.
func EnsureTables(ctx context.Context, db DB, tables []*samtemplate.Table) ([]string, error) {
	var created []string
	for _, t := range tables {
		_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &t.Name})
		var missing *types.ResourceNotFoundException
		switch {
		case err == nil:
			continue
		case !errors.As(err, &missing):
			return created, fmt.Errorf("table %s (%s): %w", t.LogicalID, t.Name, err)
		}
		if err := createTable(ctx, db, t); err != nil {
			return created, fmt.Errorf("table %s (%s): %w", t.LogicalID, t.Name, err)
		}
		created = append(created, t.Name)
	}
	return created, nil
}

func createTable(ctx context.Context, db DB, t *samtemplate.Table) error {
	if _, err := db.CreateTable(ctx, CreateTableInput(t)); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: &t.Name}, time.Minute); err != nil {
		return fmt.Errorf("wait until active: %w", err)
	}
	if t.TTLAttribute == "" {
		return nil
	}
	_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               &t.Name,
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: &t.TTLAttribute, Enabled: aws.Bool(true)},
	})
	if err != nil && !unsupported(err) {
		return fmt.Errorf("enable TTL: %w", err)
	}
	return nil
}

// unsupported reports a server that lacks UpdateTimeToLive (dynalite). Reads ignore expired
// rows whatever the server does, so the stack behaves the same without it.
func unsupported(err error) bool {
	var apiErr interface{ ErrorCode() string }
	return errors.As(err, &apiErr) && (apiErr.ErrorCode() == "UnknownOperationException" || apiErr.ErrorCode() == "ValidationException")
}

// CreateTableInput renders a template table as a CreateTable request.
func CreateTableInput(t *samtemplate.Table) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.Name),
		BillingMode: types.BillingModePayPerRequest,
		KeySchema:   keySchema(t.KeySchema),
	}
	for _, a := range t.Attributes {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName), AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	for _, ix := range t.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(ix.Name), KeySchema: keySchema(ix.KeySchema), Projection: projection(ix),
		})
	}
	for _, ix := range t.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(ix.Name), KeySchema: keySchema(ix.KeySchema), Projection: projection(ix),
		})
	}
	return in
}

func keySchema(ks []samtemplate.KeyElement) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, len(ks))
	for i, k := range ks {
		out[i] = types.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: types.KeyType(k.KeyType)}
	}
	return out
}

func projection(ix samtemplate.Index) *types.Projection {
	p := &types.Projection{ProjectionType: types.ProjectionType(ix.ProjectionType)}
	if len(ix.NonKeyAttributes) > 0 {
		p.NonKeyAttributes = ix.NonKeyAttributes
	}
	return p
}
