package eventstream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Attribute, key and index names, as template.yaml declares them.
const (
	attrUserID     = "userId"
	attrSK         = "sk"
	attrOffset     = "offset"
	attrRunKey     = "runKey"
	attrEnvelope   = "envelope"
	attrExpiresAt  = "expiresAt"
	attrLastOffset = "lastOffset"
	attrReservedAt = "reservedAt"
	attrOwner      = "owner"

	headKey  = "head"
	ownerKey = "owner"

	// OffsetIndex and RunIndex are the table's local secondary indexes.
	OffsetIndex = "offset-index"
	RunIndex    = "run-index"

	// DefaultRetention is how long events are held unless Options say otherwise.
	DefaultRetention = 24 * time.Hour
	// DefaultInFlight bounds how long after its reservation an offset may still be written:
	// emit's own timeout (29 s) with a margin.
	DefaultInFlight = time.Minute
)

// ErrUnavailable wraps every failure of the table itself; the caller may retry.
var ErrUnavailable = errors.New("event stream unavailable")

// DynamoDB is the part of the DynamoDB client the store uses.
type DynamoDB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Options tune a Store; the zero value works.
type Options struct {
	// Retention is how long an event is held and returned. Default DefaultRetention (24h).
	Retention time.Duration
	// InFlight is how long after a reservation its offsets may still appear. Default
	// DefaultInFlight (1m).
	InFlight time.Duration
	// Parallel bounds the writes or reads one call has in flight. Default 16.
	Parallel int
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Store is a user's event stream on one DynamoDB table.
type Store struct {
	db    DynamoDB
	table string
	opts  Options
}

// New returns a Store on table.
func New(db DynamoDB, table string, opts Options) *Store {
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	if opts.InFlight <= 0 {
		opts.InFlight = DefaultInFlight
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 16
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{db: db, table: table, opts: opts}
}

// Record is one stored event.
type Record struct {
	EventID string
	Offset  int64
	// Data is the envelope every tab receives, offset included.
	Data []byte
	// reservedAt is when the offset was reserved: offsets are reserved in increasing order, so
	// any missing offset below this one was reserved no later.
	reservedAt time.Time
}

func unavailable(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func num(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

func eventKey(userID, eventID string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrUserID: str(userID), attrSK: str("e#" + eventID)}
}

// runKey orders one run's events by offset; the space cannot occur in a run id.
func runKey(runID string, offset int64) string {
	return fmt.Sprintf("%s %020d", runID, offset)
}

// numberOf reads a numeric attribute; absent or malformed is 0.
func numberOf(item map[string]types.AttributeValue, name string) int64 {
	n, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0
	}
	v, _ := strconv.ParseInt(n.Value, 10, 64)
	return v
}

func stringOf(item map[string]types.AttributeValue, name string) string {
	s, _ := item[name].(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

// live reports whether an item is inside the retention period.
func (s *Store) live(item map[string]types.AttributeValue) bool {
	return numberOf(item, attrExpiresAt) > s.opts.Now().Unix()
}

func (s *Store) record(item map[string]types.AttributeValue) Record {
	sk := stringOf(item, attrSK)
	return Record{
		EventID: sk[min(2, len(sk)):], Offset: numberOf(item, attrOffset), Data: []byte(stringOf(item, attrEnvelope)),
		reservedAt: time.UnixMilli(numberOf(item, attrReservedAt)),
	}
}
