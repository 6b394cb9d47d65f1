package eventstream_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// BenchmarkAppendOne is what storing costs one single-event request, against a bare PutItem of
// the same table on the same server: two round trips (find held ids and reserve at once, then
// write) against one.
func BenchmarkAppendOne(b *testing.B) {
	f := newFixtureTB(b)
	n := 0 // b.Run calls each function more than once; keys must stay fresh
	b.Run("Append", func(b *testing.B) {
		for range b.N {
			n++
			e := envs("r", fmt.Sprintf("bench-%d", n), 1)
			if _, err := f.store.Append(b.Context(), "bench", e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PutItem", func(b *testing.B) {
		for range b.N {
			n++
			i := n
			_, err := f.db.PutItem(b.Context(), &dynamodb.PutItemInput{TableName: &f.table, Item: map[string]types.AttributeValue{
				"userId": &types.AttributeValueMemberS{Value: "bench-put"}, "sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("e#%d", i)},
				"offset": &types.AttributeValueMemberN{Value: fmt.Sprint(i + 1)}, "envelope": &types.AttributeValueMemberS{Value: "{}"},
			}, ConditionExpression: aws.String("attribute_not_exists(sk)")})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
