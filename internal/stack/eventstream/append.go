package eventstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/sync/errgroup"

	"github.com/agentbridge/agentbridge/protocol"
)

// Appended is the outcome of one Append.
type Appended struct {
	// Records holds one record per envelope given, in the same order: the newly stored event
	// or, for an event id already held, the stored one.
	Records []Record
	// Stored counts events newly written; Duplicates counts the others.
	Stored, Duplicates int
}

// maxBatchGet is BatchGetItem's limit on keys per call.
const maxBatchGet = 100

// Append stores the envelopes of one request for userID, each with a new offset, unless its
// event id is already held. Envelopes must carry an event id and no offset. On error some
// events may be stored; appending the same envelopes again completes the request without
// copies.
//
// Finding the held ids and reserving offsets run at the same time, so storing costs two
// DynamoDB round trips, not three: one offset is reserved per distinct id, and the block's
// unused tail (the duplicates' share) is handed back unless another request reserved after it,
// in which case those offsets are skipped.
func (s *Store) Append(ctx context.Context, userID string, envs []protocol.Envelope) (Appended, error) {
	out := Appended{Records: make([]Record, len(envs))}
	first := map[string]int{} // event id -> index of its first envelope
	var ids []string
	for i, e := range envs {
		if _, seen := first[e.EventID]; !seen {
			first[e.EventID] = i
			ids = append(ids, e.EventID)
		}
	}
	reservedAt := s.opts.Now()
	var held map[string]Record
	var last int64
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { held, err = s.held(gctx, userID, ids); return err })
	g.Go(func() (err error) { last, err = s.reserve(gctx, userID, int64(len(ids)), reservedAt); return err })
	if err := g.Wait(); err != nil {
		return out, err
	}
	var fresh []int
	for _, id := range ids {
		if _, ok := held[id]; !ok {
			fresh = append(fresh, first[id])
		}
	}
	base := last - int64(len(ids)) + 1
	if unused := int64(len(ids) - len(fresh)); unused > 0 {
		s.giveBack(ctx, userID, last, last-unused)
	}
	if len(fresh) > 0 {
		stored, err := s.store(ctx, userID, envs, fresh, held, base, reservedAt)
		out.Stored = stored
		if err != nil {
			return out, err
		}
	}
	for i, e := range envs {
		out.Records[i] = held[e.EventID]
	}
	out.Duplicates = len(envs) - out.Stored
	return out, nil
}

// held returns the live stored records among ids, read consistently.
func (s *Store) held(ctx context.Context, userID string, ids []string) (map[string]Record, error) {
	held := make(map[string]Record, len(ids))
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Parallel)
	for start := 0; start < len(ids); start += maxBatchGet {
		chunk := ids[start:min(start+maxBatchGet, len(ids))]
		g.Go(func() error {
			items, err := s.batchGet(ctx, userID, chunk)
			mu.Lock()
			defer mu.Unlock()
			for _, item := range items {
				if s.live(item) {
					r := s.record(item)
					held[r.EventID] = r
				}
			}
			return err
		})
	}
	return held, g.Wait()
}

// batchGet reads the event items of ids, retrying keys DynamoDB left unprocessed.
func (s *Store) batchGet(ctx context.Context, userID string, ids []string) ([]map[string]types.AttributeValue, error) {
	keys := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		keys[i] = eventKey(userID, id)
	}
	req := map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}
	var items []map[string]types.AttributeValue
	for attempt := 0; len(req) > 0; attempt++ {
		if attempt == 10 {
			return items, unavailable("find stored events", errors.New("keys still unprocessed after 10 attempts"))
		}
		res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return items, unavailable("find stored events", err)
		}
		items = append(items, res.Responses[s.table]...)
		req = res.UnprocessedKeys
	}
	return items, nil
}

// store writes each fresh envelope with offsets from base on, conditionally on its event id not
// being held. An event a concurrent request stored first becomes a duplicate, and its reserved
// offset is skipped. It adds every record to held and returns how many it wrote.
func (s *Store) store(ctx context.Context, userID string, envs []protocol.Envelope, fresh []int, held map[string]Record, base int64, reservedAt time.Time) (int, error) {
	expires := s.opts.Now().Add(s.opts.Retention).Unix()
	var mu sync.Mutex
	stored := 0
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Parallel)
	for n, i := range fresh {
		env := envs[i]
		env.Offset = base + int64(n)
		g.Go(func() error {
			r, wrote, err := s.put(gctx, userID, env, reservedAt, expires)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			held[r.EventID] = r
			if wrote {
				stored++
			}
			return nil
		})
	}
	err := g.Wait()
	return stored, err
}

// giveBack lowers the head from last to to, if no request has reserved since: the offsets
// between were never given to an event, and no reader has counted them yet (they are younger
// than Options.InFlight). Otherwise, or on any error, they stay skipped, which is allowed.
func (s *Store) giveBack(ctx context.Context, userID string, last, to int64) {
	_, _ = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       map[string]types.AttributeValue{attrUserID: str(userID), attrSK: str(headKey)},
		UpdateExpression:          aws.String("SET #o = :to"),
		ConditionExpression:       aws.String("#o = :last"),
		ExpressionAttributeNames:  map[string]string{"#o": attrLastOffset},
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": num(to), ":last": num(last)},
	})
}

// reserve adds n to the user's head and returns the last offset of the reserved block. The
// head also records when it was last reserved from, which tells readers whether a missing
// offset may still be written (see After).
func (s *Store) reserve(ctx context.Context, userID string, n int64, at time.Time) (int64, error) {
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       map[string]types.AttributeValue{attrUserID: str(userID), attrSK: str(headKey)},
		UpdateExpression:          aws.String("ADD #o :n SET #at = :now"),
		ExpressionAttributeNames:  map[string]string{"#o": attrLastOffset, "#at": attrReservedAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": num(n), ":now": num(at.UnixMilli())},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, unavailable("reserve offsets", err)
	}
	return numberOf(res.Attributes, attrLastOffset), nil
}

// put writes one event unless its id is held by a live item; when it is, put returns the held
// record instead and wrote is false.
func (s *Store) put(ctx context.Context, userID string, env protocol.Envelope, reservedAt time.Time, expires int64) (r Record, wrote bool, err error) {
	data, err := json.Marshal(env)
	if err != nil {
		return r, false, fmt.Errorf("render event %s: %w", env.EventID, err)
	}
	item := eventKey(userID, env.EventID)
	item[attrOffset] = num(env.Offset)
	item[attrRunKey] = str(runKey(env.RunID, env.Offset))
	item[attrEnvelope] = str(string(data))
	item[attrExpiresAt] = num(expires)
	item[attrReservedAt] = num(reservedAt.UnixMilli())
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: item,
		// An expired item past TTL's lag may be replaced: reads treat it as gone already.
		ConditionExpression:       aws.String("attribute_not_exists(#sk) OR #e <= :now"),
		ExpressionAttributeNames:  map[string]string{"#sk": attrSK, "#e": attrExpiresAt},
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": num(s.opts.Now().Unix())},
	})
	var taken *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return Record{EventID: env.EventID, Offset: env.Offset, Data: data, reservedAt: reservedAt}, true, nil
	case errors.As(err, &taken):
		r, err := s.get(ctx, userID, env.EventID)
		return r, false, err
	}
	return r, false, unavailable("store event", err)
}

// get reads one stored event consistently.
func (s *Store) get(ctx context.Context, userID, eventID string) (Record, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: eventKey(userID, eventID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return Record{}, unavailable("read stored event", err)
	}
	if res.Item == nil {
		return Record{}, unavailable("read stored event", fmt.Errorf("event %s vanished after a conflicting write", eventID))
	}
	return s.record(res.Item), nil
}
