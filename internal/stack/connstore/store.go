package connstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute and index names of the table, as template.yaml defines them.
const (
	attrUserID             = "userId"
	attrConnectionID       = "connectionId"
	attrExpiresAt          = "expiresAt"
	DefaultConnectionIndex = "connectionId-index"
)

// Connection is one user-to-connection mapping.
type Connection struct {
	UserID       string    `dynamodbav:"userId"`
	ConnectionID string    `dynamodbav:"connectionId"`
	ConnectedAt  time.Time `dynamodbav:"connectedAt,unixtime"`
	// ExpiresAt is the TTL attribute (epoch seconds): after it the mapping is treated as gone.
	ExpiresAt time.Time `dynamodbav:"expiresAt,unixtime"`
	SourceIP  string    `dynamodbav:"sourceIp,omitempty"`
}

// DynamoDB is the part of the DynamoDB client the store uses.
type DynamoDB interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Store reads and writes connection mappings.
type Store struct {
	db    DynamoDB
	table string
	index string
	now   func() time.Time
}

// Options tune a Store; the zero value works.
type Options struct {
	// ConnectionIndex names the keys-only index on connectionId. Default "connectionId-index".
	ConnectionIndex string
	// Now is the clock used to skip expired rows. Default time.Now.
	Now func() time.Time
}

// withDefaults returns o with every unset field at its documented default.
func (o Options) withDefaults() Options {
	if o.ConnectionIndex == "" {
		o.ConnectionIndex = DefaultConnectionIndex
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// New returns a Store on table.
func New(db DynamoDB, table string, opts Options) *Store {
	opts = opts.withDefaults()
	return &Store{db: db, table: table, index: opts.ConnectionIndex, now: opts.Now}
}

// Put stores c. Putting the same mapping again is harmless.
func (s *Store) Put(ctx context.Context, c Connection) error {
	item, err := attributevalue.MarshalMap(c)
	if err != nil {
		return fmt.Errorf("put connection: %w", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return fmt.Errorf("put connection: %w", err)
	}
	return nil
}

// Live returns userID's connections that have not expired.
func (s *Store) Live(ctx context.Context, userID string) ([]Connection, error) {
	in := &dynamodb.QueryInput{
		TableName:              &s.table,
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("#u = :u"),
		FilterExpression:       aws.String("#e > :now"),
		ExpressionAttributeNames: map[string]string{
			"#u": attrUserID, "#e": attrExpiresAt,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":u":   &types.AttributeValueMemberS{Value: userID},
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(s.now().Unix(), 10)},
		},
	}
	var out []Connection
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query connections: %w", err)
		}
		var conns []Connection
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &conns); err != nil {
			return nil, fmt.Errorf("query connections: %w", err)
		}
		out = append(out, conns...)
	}
	return out, nil
}

// Delete removes one mapping. Deleting a missing mapping is not an error.
func (s *Store) Delete(ctx context.Context, userID, connectionID string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: &s.table,
		Key: map[string]types.AttributeValue{
			attrUserID:       &types.AttributeValueMemberS{Value: userID},
			attrConnectionID: &types.AttributeValueMemberS{Value: connectionID},
		},
	})
	if err != nil {
		return fmt.Errorf("delete connection: %w", err)
	}
	return nil
}

// DeleteByConnectionID removes the mappings of connectionID, found through the index, and
// reports how many it removed. An unknown id removes nothing and is not an error.
func (s *Store) DeleteByConnectionID(ctx context.Context, connectionID string) (int, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 &s.index,
		KeyConditionExpression:    aws.String("#c = :c"),
		ExpressionAttributeNames:  map[string]string{"#c": attrConnectionID},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: connectionID}},
	}
	removed := 0
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return removed, fmt.Errorf("find connection %s: %w", connectionID, err)
		}
		for _, item := range page.Items {
			var c Connection
			if err := attributevalue.UnmarshalMap(item, &c); err != nil {
				return removed, fmt.Errorf("find connection %s: %w", connectionID, err)
			}
			if err := s.Delete(ctx, c.UserID, c.ConnectionID); err != nil {
				return removed, err
			}
			removed++
		}
	}
	return removed, nil
}
