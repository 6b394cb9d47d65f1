package eventstream

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ErrUnknownConnection: no live owner item names the connection.
var ErrUnknownConnection = errors.New("unknown connection")

// OwnerPartitionPrefix starts the partition key of every owner item; IAM policies scope
// $connect's writes to it. The space cannot occur in a user id.
const OwnerPartitionPrefix = "connection "

func ownerKeyOf(connectionID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrUserID: str(OwnerPartitionPrefix + connectionID), attrSK: str(ownerKey)}
}

// PutOwner records that connectionID belongs to userID until expires.
func (s *Store) PutOwner(ctx context.Context, connectionID, userID string, expires time.Time) error {
	item := ownerKeyOf(connectionID)
	item[attrOwner] = str(userID)
	item[attrExpiresAt] = num(expires.Unix())
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
		return unavailable("store connection owner", err)
	}
	return nil
}

// Owner returns the user connectionID belongs to, or ErrUnknownConnection.
func (s *Store) Owner(ctx context.Context, connectionID string) (string, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: ownerKeyOf(connectionID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", unavailable("read connection owner", err)
	}
	if res.Item == nil || numberOf(res.Item, attrExpiresAt) <= s.opts.Now().Unix() {
		return "", ErrUnknownConnection
	}
	return stringOf(res.Item, attrOwner), nil
}
