package eventstream

import (
	"context"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/agentbridge/agentbridge/protocol"
)

// Page is what one resume or replay returns.
type Page struct {
	// Records are in offset order.
	Records []Record
	// Through is the offset up to which the reader now holds everything when Complete, and
	// where to continue otherwise.
	Through int64
	// Complete is false when Reason (protocol.ReasonLimit or protocol.ReasonExpired) applies.
	Complete bool
	Reason   string
}

// After returns the live events of userID with an offset above after, at most limit of them
// (protocol.MaxEventsPerAnswer when limit <= 0).
//
// Through is as high as it can be while the reader, once it has these records, holds every
// event up to it. A missing offset below a record or below the head is skipped for good once its
// reservation is older than Options.InFlight (offsets are reserved in increasing order, so the
// record's or the head's reservation time bounds it); a younger one may still be written by a
// request in flight, and Through stops before it. Events stored after the read reach a live
// connection by fan-out, because emit stores before it reads the connections.
//
// Reason is "expired" when events above after may have passed the retention period: an
// expired item is still in the range, or the offsets right after after are missing while
// after's own event is no longer held. After 0 (everything held) is never expired.
func (s *Store) After(ctx context.Context, userID string, after int64, limit int) (Page, error) {
	limit = pageLimit(limit)
	head, headAt, err := s.head(ctx, userID)
	if err != nil {
		return Page{}, err
	}
	recs, dropped, err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:              aws.String(OffsetIndex),
		KeyConditionExpression: aws.String("#u = :u AND #o > :after"),
		ExpressionAttributeNames: map[string]string{
			"#u": attrUserID, "#o": attrOffset,
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": str(userID), ":after": num(after)},
	}, limit+1)
	if err != nil {
		return Page{}, err
	}
	p := page(recs, limit, after)
	if !p.Complete {
		return p, nil
	}
	expired, err := s.lostAfter(ctx, userID, after, head, recs, dropped)
	if err != nil {
		return Page{}, err
	}
	p.Through = s.through(after, recs, head, headAt, expired || (after == 0 && dropped > 0))
	if expired {
		p.Complete, p.Reason = false, protocol.ReasonExpired
	}
	return p, nil
}

// through walks recs from after while no missing offset may still be written; gapGone says the
// offsets missing before the first record have expired.
func (s *Store) through(after int64, recs []Record, head int64, headAt time.Time, gapGone bool) int64 {
	settled := s.opts.Now().Add(-s.opts.InFlight)
	pos := after
	for i, r := range recs {
		if r.Offset != pos+1 && !r.reservedAt.Before(settled) && !(i == 0 && gapGone) {
			return pos
		}
		pos = r.Offset
	}
	if head > pos && headAt.Before(settled) {
		pos = head
	}
	return pos
}

// Run returns the live events of one run of userID with an offset above after, at most limit.
// Through is the last offset returned, or after when none. Reason is "expired" when an event of
// the run has passed the retention period but is still in the table; once TTL has deleted
// every expired event of a run, what remains is returned as complete.
func (s *Store) Run(ctx context.Context, userID, runID string, after int64, limit int) (Page, error) {
	limit = pageLimit(limit)
	recs, dropped, err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                aws.String(RunIndex),
		KeyConditionExpression:   aws.String("#u = :u AND #r BETWEEN :from AND :to"),
		ExpressionAttributeNames: map[string]string{"#u": attrUserID, "#r": attrRunKey},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":u": str(userID), ":from": str(runKey(runID, after+1)), ":to": str(runKey(runID, math.MaxInt64)),
		},
	}, limit+1)
	if err != nil {
		return Page{}, err
	}
	p := page(recs, limit, after)
	if p.Complete && dropped > 0 {
		p.Complete, p.Reason = false, protocol.ReasonExpired
	}
	return p, nil
}

func pageLimit(limit int) int {
	if limit <= 0 || limit > protocol.MaxEventsPerAnswer {
		return protocol.MaxEventsPerAnswer
	}
	return limit
}

// page cuts recs to limit; through is the floor of Through when nothing is cut.
func page(recs []Record, limit int, through int64) Page {
	if len(recs) > limit {
		recs = recs[:limit]
		return Page{Records: recs, Through: recs[limit-1].Offset, Reason: protocol.ReasonLimit}
	}
	if n := len(recs); n > 0 {
		through = max(through, recs[n-1].Offset)
	}
	return Page{Records: recs, Through: through, Complete: true}
}

// lostAfter reports whether events right above after may have expired (see After).
func (s *Store) lostAfter(ctx context.Context, userID string, after, head int64, recs []Record, dropped int) (bool, error) {
	if after == 0 { // "everything held": nothing the reader had can have been lost
		return false, nil
	}
	if dropped > 0 {
		return true, nil
	}
	next := head + 1
	if len(recs) > 0 {
		next = recs[0].Offset
	}
	if next == after+1 || head <= after {
		return false, nil
	}
	// Offsets after+1 .. next-1 are missing: skipped, or expired and deleted. Events expire in
	// offset order, so if after's own event is still live none after it can have expired.
	held, _, err := s.query(ctx, &dynamodb.QueryInput{
		IndexName:                 aws.String(OffsetIndex),
		KeyConditionExpression:    aws.String("#u = :u AND #o = :after"),
		ExpressionAttributeNames:  map[string]string{"#u": attrUserID, "#o": attrOffset},
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": str(userID), ":after": num(after)},
	}, 1)
	return len(held) == 0, err
}

// head reads the user's last reserved offset (0 before the first event) and when it was
// reserved.
func (s *Store) head(ctx context.Context, userID string) (int64, time.Time, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            map[string]types.AttributeValue{attrUserID: str(userID), attrSK: str(headKey)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return 0, time.Time{}, unavailable("read head", err)
	}
	return numberOf(res.Item, attrLastOffset), time.UnixMilli(numberOf(res.Item, attrReservedAt)), nil
}

// query runs a consistent query in index order, keeping live items until it holds want of
// them, and counts the expired items it skipped.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, want int) (recs []Record, dropped int, err error) {
	in.TableName = &s.table
	in.ConsistentRead = aws.Bool(true)
	in.Limit = aws.Int32(int32(min(want, 1000)))
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() && len(recs) < want {
		res, err := p.NextPage(ctx)
		if err != nil {
			return recs, dropped, unavailable("read events", err)
		}
		for _, item := range res.Items {
			if !s.live(item) {
				dropped++
				continue
			}
			if len(recs) < want {
				recs = append(recs, s.record(item))
			}
		}
	}
	return recs, dropped, nil
}
