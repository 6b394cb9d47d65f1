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
// Missing offsets below an expired item still in the table count as skipped too: they were
// reserved before it, longer ago than the retention period.
//
// When more than limit events remain, Through is at most the last record's offset, the place
// to continue from. Reason is then "limit", or "expired" as below.
//
// Reason is "expired" when events above after may have passed the retention period: an
// expired item is still in the range the answer covers, or the offsets right after after are
// missing while the newest event at or below after is no longer held (after may itself be an
// offset that was skipped). After 0 (everything held) is never expired.
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
		// Cut at the limit: the answer covers offsets up to the last record sent, and only the
		// expired items among them count. The head lies above, so it cannot raise Through.
		last := p.Records[len(p.Records)-1].Offset
		dropped = below(dropped, last)
		head = 0
	}
	expired, err := s.lostAfter(ctx, userID, after, head, p.Records, dropped)
	if err != nil {
		return Page{}, err
	}
	// Without an expired item to bound it, a gap before the first record that lostAfter
	// found expired counts as gone as a whole (TTL has deleted what it held).
	p.Through = s.through(after, p.Records, dropped, head, headAt, expired && len(dropped) == 0)
	if expired {
		p.Complete, p.Reason = false, protocol.ReasonExpired
	}
	return p, nil
}

// below returns the offsets of dropped (in increasing order) up to last.
func below(dropped []int64, last int64) []int64 {
	n := 0
	for n < len(dropped) && dropped[n] <= last {
		n++
	}
	return dropped[:n]
}

// through walks recs and the expired offsets dropped (both in offset order) from after while
// no missing offset may still be written, and returns the offset it reached; when head > 0 it
// may go on to the head. An expired item vouches for the offsets missing below it: they were
// reserved before it, more than the retention period ago. gapGone says the offsets missing
// before the first record have expired although no expired item is left to show it.
func (s *Store) through(after int64, recs []Record, dropped []int64, head int64, headAt time.Time, gapGone bool) int64 {
	settled := s.opts.Now().Add(-s.opts.InFlight)
	pos := after
	d := 0
	for i, r := range recs {
		for ; d < len(dropped) && dropped[d] < r.Offset; d++ {
			pos = max(pos, dropped[d])
		}
		if r.Offset != pos+1 && !r.reservedAt.Before(settled) && !(i == 0 && gapGone) {
			return pos
		}
		pos = r.Offset
	}
	for ; d < len(dropped); d++ {
		pos = max(pos, dropped[d])
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
	if p.Complete && len(dropped) > 0 {
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

// lostAfter reports whether events right above after may have expired (see After); recs are
// the records answered and dropped the expired offsets in the range they cover.
func (s *Store) lostAfter(ctx context.Context, userID string, after, head int64, recs []Record, dropped []int64) (bool, error) {
	if after == 0 { // "everything held": nothing the reader had can have been lost
		return false, nil
	}
	if len(dropped) > 0 {
		return true, nil
	}
	next := head + 1
	if len(recs) > 0 {
		next = recs[0].Offset
	} else if head <= after {
		return false, nil
	}
	if next == after+1 {
		return false, nil
	}
	// Offsets after+1 .. next-1 are missing: skipped, or expired and deleted. Events expire in
	// offset order, so if the newest event at or below after is still live none after it can
	// have expired. after itself may be an offset that was skipped, so look below it too. If no
	// event is held at or below after, offsets 1..after were once handed out (the reader holds
	// after > 0) and their events, if any, are gone: the gap may be too.
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(OffsetIndex),
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("#u = :u AND #o <= :after"),
		ExpressionAttributeNames:  map[string]string{"#u": attrUserID, "#o": attrOffset},
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": str(userID), ":after": num(after)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(1),
	})
	if err != nil {
		return false, unavailable("read events", err)
	}
	return len(res.Items) == 0 || !s.live(res.Items[0]), nil
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
// them, and returns the offsets of the expired items it skipped, in index order.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, want int) (recs []Record, dropped []int64, err error) {
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
			if len(recs) >= want {
				break
			}
			if !s.live(item) {
				dropped = append(dropped, numberOf(item, attrOffset))
				continue
			}
			recs = append(recs, s.record(item))
		}
	}
	return recs, dropped, nil
}
