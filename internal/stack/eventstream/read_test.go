package eventstream_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/agentbridge/agentbridge/protocol"
)

// unwrite deletes the items of eventIDs: their offsets become reserved but not (yet) written,
// or skipped once their reservation is older than InFlight.
func (f *fixture) unwrite(t *testing.T, user string, eventIDs ...string) {
	t.Helper()
	for _, id := range eventIDs {
		_, err := f.db.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: &f.table, Key: map[string]types.AttributeValue{
			"userId": &types.AttributeValueMemberS{Value: user}, "sk": &types.AttributeValueMemberS{Value: "e#" + id},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

type afterCase struct {
	name    string
	user    string
	after   int64
	limit   int
	want    []int64
	through int64
	reason  string // "" for a complete answer
}

func (f *fixture) checkAfter(t *testing.T, tests []afterCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := f.store.After(t.Context(), tt.user, tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !equal(offsets(p.Records), tt.want) || p.Through != tt.through || p.Complete != (tt.reason == "") || p.Reason != tt.reason {
				t.Errorf("after %d limit %d: got %v through %d complete %v %q, want %v through %d %q",
					tt.after, tt.limit, offsets(p.Records), p.Through, p.Complete, p.Reason, tt.want, tt.through, tt.reason)
			}
		})
	}
}

func without(s []int64, drop ...int64) []int64 {
	var out []int64
	for _, v := range s {
		keep := true
		for _, d := range drop {
			keep = keep && v != d
		}
		if keep {
			out = append(out, v)
		}
	}
	return out
}

// TestAfterAtTheLimitKeepsTheInFlightRuleAndReportsExpiry: a page cut at the limit must not
// pass a recently reserved offset that is not written yet, nor hide expired items inside it
// (the next page starts above them and could no longer see them).
func TestAfterAtTheLimitKeepsTheInFlightRuleAndReportsExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.append(t, "old", envs("r1", "old", 3))     // 1..3
	f.append(t, "oldgap", envs("r1", "old", 3))  // 1..3
	f.advance(2 * time.Hour)                     // retention is one hour: both expire
	f.append(t, "old", envs("r1", "new", 10))    // 4..13
	f.append(t, "oldgap", envs("r1", "new", 10)) // 4..13
	f.unwrite(t, "oldgap", "new-1")              // offset 5 reserved just now, not written
	f.append(t, "inflight", envs("r1", "a", 10)) // 1..10
	f.unwrite(t, "inflight", "a-3")              // offset 4 reserved just now, not written
	f.append(t, "many", envs("r1", "m", protocol.MaxEventsPerAnswer+5))
	f.unwrite(t, "many", "m-499") // offset 500 reserved just now, not written

	f.checkAfter(t, []afterCase{
		{"recent gap inside the page", "inflight", 0, 5, []int64{1, 2, 3, 5, 6}, 3, protocol.ReasonLimit},
		{"recent gap above the page", "inflight", 5, 3, []int64{6, 7, 8}, 8, protocol.ReasonLimit},
		{"expired inside the page", "old", 1, 5, seq(4, 8), 8, protocol.ReasonExpired},
		{"reader had what expired", "old", 3, 5, seq(4, 8), 8, protocol.ReasonLimit},
		{"after 0 is never expired", "old", 0, 5, seq(4, 8), 8, protocol.ReasonLimit},
		{"expired and a recent gap", "oldgap", 1, 5, []int64{4, 6, 7, 8, 9}, 4, protocol.ReasonExpired},
		{"default limit, recent gap", "many", 0, 0, without(seq(1, 1001), 500), 499, protocol.ReasonLimit},
	})
	f.advance(2 * time.Minute)
	f.checkAfter(t, []afterCase{
		{"gap settled", "inflight", 0, 5, []int64{1, 2, 3, 5, 6}, 6, protocol.ReasonLimit},
		{"expired and a settled gap", "oldgap", 1, 5, []int64{4, 6, 7, 8, 9}, 9, protocol.ReasonExpired},
		{"default limit, gap settled", "many", 0, 0, without(seq(1, 1001), 500), 1001, protocol.ReasonLimit},
	})
}

// TestAfterChecksTheGapAboveExpiredItems: expired items still in the table vouch only for the
// offsets up to them; an offset between the last of them and the first live record that was
// reserved moments ago may still be written.
func TestAfterChecksTheGapAboveExpiredItems(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.append(t, "alice", envs("r1", "old", 100)) // 1..100
	f.append(t, "bob", envs("r1", "old", 10))    // 1..10
	f.advance(2 * time.Hour)                     // both expire (TTL has not deleted them)
	f.append(t, "bob", envs("r1", "new", 2))     // 11..12
	f.advance(2 * time.Minute)
	f.append(t, "alice", envs("r1", "new", 2)) // 101..102
	f.unwrite(t, "alice", "new-0")             // 101 reserved moments ago, not written
	f.append(t, "bob", envs("r1", "newer", 3)) // 13..15
	f.unwrite(t, "bob", "new-1", "newer-0")    // 12 reserved 2 min ago, 13 just now: 14 bounds both

	f.checkAfter(t, []afterCase{
		{"resume inside the expired range", "alice", 50, 0, []int64{102}, 100, protocol.ReasonExpired},
		{"resume below it", "alice", 0, 0, []int64{102}, 100, ""},
		{"gap above an event after the expired", "bob", 5, 0, []int64{11, 14, 15}, 11, protocol.ReasonExpired},
		{"from 0", "bob", 0, 0, []int64{11, 14, 15}, 11, ""},
	})
	f.advance(2 * time.Minute)
	f.checkAfter(t, []afterCase{
		{"gap settled", "alice", 50, 0, []int64{102}, 102, protocol.ReasonExpired},
		{"gap settled from 0", "alice", 0, 0, []int64{102}, 102, ""},
		{"both gaps settled", "bob", 5, 0, []int64{11, 14, 15}, 15, protocol.ReasonExpired},
	})
}

// TestAfterASkippedOffsetIsNotExpiry: the reader's after may be an offset that was reserved
// and never written; only the newest event at or below it tells whether anything expired.
func TestAfterASkippedOffsetIsNotExpiry(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.append(t, "dave", envs("r1", "old", 3)) // 1..3
	f.advance(2 * time.Hour)                  // expire
	f.append(t, "dave", envs("r1", "new", 3)) // 4..6
	f.unwrite(t, "dave", "new-0", "new-1")    // 4, 5 skipped after 1..3 expired
	f.append(t, "alice", envs("r1", "a", 6))  // 1..6
	f.unwrite(t, "alice", "a-3", "a-4")       // 4, 5 skipped
	f.append(t, "bob", envs("r1", "b", 6))    // 1..6
	f.unwrite(t, "bob", "b-3", "b-4", "b-5")  // 4..6 skipped: the head is above every event
	f.append(t, "carol", envs("r1", "c", 3))  // 1..3
	f.unwrite(t, "carol", "c-2")              // 3 skipped, the head settles on it
	f.advance(2 * time.Minute)                // every reservation settles

	f.checkAfter(t, []afterCase{
		{"after a skipped offset", "alice", 4, 0, []int64{6}, 6, ""},
		{"after the event below the gap", "alice", 3, 0, []int64{6}, 6, ""},
		{"right below the next event", "alice", 5, 0, []int64{6}, 6, ""},
		{"after 0", "alice", 0, 0, []int64{1, 2, 3, 6}, 6, ""},
		{"skipped after, nothing above", "bob", 4, 0, nil, 6, ""},
		{"after the settled head", "carol", 3, 0, nil, 3, ""},
		{"after 0 of a fresh user", "erin", 0, 0, nil, 0, ""},
		{"after beyond a fresh user", "erin", 7, 0, nil, 7, ""},
		{"newest event at or below after expired", "dave", 4, 0, []int64{6}, 6, protocol.ReasonExpired},
		{"after 0 with everything below expired", "dave", 0, 0, []int64{6}, 6, ""},
	})
}
