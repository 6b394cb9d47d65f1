package eventstream_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
	"github.com/agentbridge/agentbridge/protocol"
)

type fixture struct {
	db    *dynamodb.Client
	table string
	store *eventstream.Store
	mu    sync.Mutex
	now   time.Time
}

func newFixture(t *testing.T) *fixture { return newFixtureTB(t) }

func newFixtureTB(t testing.TB) *fixture {
	t.Helper()
	srv := dynamotest.Shared(t)
	f := &fixture{db: srv.Client(), table: srv.StreamTable(t), now: time.Now()}
	f.store = eventstream.New(f.db, f.table, eventstream.Options{Retention: time.Hour, Now: f.clock})
	return f
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

// envs builds n envelopes of run with ids prefix-0..prefix-(n-1).
func envs(run, prefix string, n int) []protocol.Envelope {
	out := make([]protocol.Envelope, n)
	for i := range out {
		seq := int64(i)
		out[i] = protocol.Envelope{Type: protocol.AgentThinking, EventID: fmt.Sprintf("%s-%d", prefix, i), RunID: run, Seq: &seq,
			Timestamp: "2026-01-02T03:04:05.000Z", Payload: json.RawMessage(`{"text":"hi"}`)}
	}
	return out
}

func (f *fixture) append(t *testing.T, user string, e []protocol.Envelope) eventstream.Appended {
	t.Helper()
	res, err := f.store.Append(t.Context(), user, e)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func offsets(recs []eventstream.Record) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Offset
	}
	return out
}

func decode(t *testing.T, r eventstream.Record) protocol.Envelope {
	t.Helper()
	var env protocol.Envelope
	if err := json.Unmarshal(r.Data, &env); err != nil {
		t.Fatal(err)
	}
	if env.Offset != r.Offset || env.EventID != r.EventID {
		t.Fatalf("record %+v holds envelope %s", r, r.Data)
	}
	return env
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func seq(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestAppendGivesEachUserIncreasingOffsets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.append(t, "alice", envs("r1", "a", 3))
	b := f.append(t, "bob", envs("r1", "b", 2))
	c := f.append(t, "alice", envs("r1", "c", 2))
	for name, tc := range map[string]struct {
		got  eventstream.Appended
		want []int64
	}{"alice first": {a, seq(1, 3)}, "bob": {b, seq(1, 2)}, "alice second": {c, seq(4, 5)}} {
		if !equal(offsets(tc.got.Records), tc.want) || tc.got.Stored != len(tc.want) || tc.got.Duplicates != 0 {
			t.Errorf("%s: offsets %v stored %d duplicates %d, want %v all stored", name, offsets(tc.got.Records), tc.got.Stored, tc.got.Duplicates, tc.want)
		}
		for _, r := range tc.got.Records {
			decode(t, r)
		}
	}
}

func TestAppendingAgainReturnsTheStoredEnvelopes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.append(t, "alice", envs("r1", "e", 3))
	retry := envs("r1", "e", 3)
	for i := range retry {
		retry[i].Timestamp = "2026-01-02T03:09:00.000Z" // a retry renders a later timestamp
	}
	again := f.append(t, "alice", append(retry, envs("r1", "new", 1)...))
	if again.Stored != 1 || again.Duplicates != 3 {
		t.Fatalf("stored %d duplicates %d, want 1 and 3", again.Stored, again.Duplicates)
	}
	for i := range 3 {
		if string(again.Records[i].Data) != string(first.Records[i].Data) {
			t.Errorf("event %d delivered as %s, stored as %s", i, again.Records[i].Data, first.Records[i].Data)
		}
	}
	if got := again.Records[3].Offset; got != 4 {
		t.Errorf("new event got offset %d, want 4 (no offset spent on duplicates)", got)
	}
	page, err := f.store.After(t.Context(), "alice", 0, 0)
	if err != nil || !equal(offsets(page.Records), seq(1, 4)) {
		t.Errorf("stream holds %v (%v), want 1..4 once each", offsets(page.Records), err)
	}
}

func TestOneRequestRepeatingAnIDStoresItOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := envs("r1", "x", 2)
	res := f.append(t, "alice", []protocol.Envelope{e[0], e[1], e[0]})
	if res.Stored != 2 || res.Duplicates != 1 || res.Records[2].Offset != res.Records[0].Offset {
		t.Errorf("got %+v", res)
	}
}

func TestConcurrentRetriesOfOneEventStoreOneCopy(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const n = 8
	results := make([]eventstream.Appended, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			res, err := f.store.Append(t.Context(), "alice", envs("r1", "same", 1))
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	stored := 0
	for _, r := range results {
		stored += r.Stored
		if len(r.Records) != 1 || string(r.Records[0].Data) != string(results[0].Records[0].Data) {
			t.Errorf("retries disagree: %+v vs %+v", r.Records, results[0].Records)
		}
	}
	if stored != 1 {
		t.Errorf("%d copies stored, want 1", stored)
	}
}

func TestAfterPagesInOffsetOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.append(t, "alice", envs("r1", "a", 25))
	f.append(t, "bob", envs("r1", "b", 5))
	tests := []struct {
		name     string
		after    int64
		limit    int
		want     []int64
		through  int64
		complete bool
		reason   string
	}{
		{"first page", 0, 10, seq(1, 10), 10, false, protocol.ReasonLimit},
		{"the rest", 10, 100, seq(11, 25), 25, true, ""},
		{"exactly the limit", 15, 10, seq(16, 25), 25, true, ""},
		{"nothing new", 25, 10, nil, 25, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := f.store.After(t.Context(), "alice", tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !equal(offsets(p.Records), tt.want) || p.Through != tt.through || p.Complete != tt.complete || p.Reason != tt.reason {
				t.Errorf("got %v through %d complete %v %q", offsets(p.Records), p.Through, p.Complete, p.Reason)
			}
			for _, r := range p.Records {
				if env := decode(t, r); env.RunID != "r1" || env.EventID[0] != 'a' {
					t.Errorf("another user's event %s", r.Data)
				}
			}
		})
	}
}

func TestAfterSaysWhenEventsExpired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.append(t, "alice", envs("r1", "old", 3)) // offsets 1..3
	f.advance(2 * time.Hour)                   // retention is one hour
	f.append(t, "alice", envs("r1", "new", 2)) // offsets 4..5
	check := func(t *testing.T, after int64, want []int64, complete bool) {
		t.Helper()
		p, err := f.store.After(t.Context(), "alice", after, 0)
		if err != nil {
			t.Fatal(err)
		}
		reason := ""
		if !complete {
			reason = protocol.ReasonExpired
		}
		if !equal(offsets(p.Records), want) || p.Complete != complete || p.Reason != reason || p.Through != 5 {
			t.Errorf("after %d: got %v through %d complete %v %q", after, offsets(p.Records), p.Through, p.Complete, p.Reason)
		}
	}
	t.Run("expired items still in the table", func(t *testing.T) {
		check(t, 1, seq(4, 5), false)
		check(t, 3, seq(4, 5), true) // the reader had everything that expired
		check(t, 0, seq(4, 5), true) // 0 asks for what is held
	})
	t.Run("expired items deleted by TTL", func(t *testing.T) {
		for i := range 3 {
			_, err := f.db.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: &f.table, Key: map[string]types.AttributeValue{
				"userId": &types.AttributeValueMemberS{Value: "alice"}, "sk": &types.AttributeValueMemberS{Value: fmt.Sprintf("e#old-%d", i)},
			}})
			if err != nil {
				t.Fatal(err)
			}
		}
		check(t, 1, seq(4, 5), false) // after's own event is gone too: cannot vouch for 2..3
		check(t, 3, seq(4, 5), true)  // nothing missing between 3 and 4
		check(t, 4, seq(5, 5), true)
	})
}

func TestRunReturnsOneRunOfOneUser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.append(t, "alice", envs("r", "a", 3))       // 1..3
	f.append(t, "alice", envs("r2", "b", 2))      // 4..5, a run id that extends "r"
	f.append(t, "alice", envs("r", "c", 2))       // 6..7
	f.append(t, "mallory", envs("r", "m", 4))     // another user's run of the same id
	f.append(t, "alice", envs("r 1", "weird", 0)) // nothing
	tests := []struct {
		name, user, run string
		after           int64
		limit           int
		want            []int64
		through         int64
		complete        bool
	}{
		{"whole run", "alice", "r", 0, 0, []int64{1, 2, 3, 6, 7}, 7, true},
		{"continued", "alice", "r", 3, 0, []int64{6, 7}, 7, true},
		{"limited", "alice", "r", 0, 2, []int64{1, 2}, 2, false},
		{"other run", "alice", "r2", 0, 0, []int64{4, 5}, 5, true},
		{"unknown run", "alice", "nope", 0, 0, nil, 0, true},
		{"bob has no such run", "bob", "r", 0, 0, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := f.store.Run(t.Context(), tt.user, tt.run, tt.after, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if !equal(offsets(p.Records), tt.want) || p.Through != tt.through || p.Complete != tt.complete {
				t.Errorf("got %v through %d complete %v %q", offsets(p.Records), p.Through, p.Complete, p.Reason)
			}
			for _, r := range p.Records {
				if env := decode(t, r); env.RunID != tt.run {
					t.Errorf("event of run %s in replay of %s", env.RunID, tt.run)
				}
			}
		})
	}
}

func TestRunSaysWhenEventsExpired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.append(t, "alice", envs("r", "a", 2))
	f.advance(2 * time.Hour)
	f.append(t, "alice", envs("r", "b", 1))
	p, err := f.store.Run(t.Context(), "alice", "r", 0, 0)
	if err != nil || !equal(offsets(p.Records), []int64{3}) || p.Complete || p.Reason != protocol.ReasonExpired {
		t.Errorf("got %v complete %v %q (%v)", offsets(p.Records), p.Complete, p.Reason, err)
	}
}

func TestOwner(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	if err := f.store.PutOwner(ctx, "conn-1", "alice", f.clock().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := f.store.PutOwner(ctx, "conn-old", "alice", f.clock()); err != nil {
		t.Fatal(err)
	}
	if u, err := f.store.Owner(ctx, "conn-1"); err != nil || u != "alice" {
		t.Errorf("Owner(conn-1) = %q, %v", u, err)
	}
	for _, id := range []string{"conn-old", "conn-unknown"} {
		if _, err := f.store.Owner(ctx, id); !errors.Is(err, eventstream.ErrUnknownConnection) {
			t.Errorf("Owner(%s) err = %v, want ErrUnknownConnection", id, err)
		}
	}
	// An owner item never shows up as events of a user.
	p, err := f.store.After(ctx, "alice", 0, 0)
	if err != nil || len(p.Records) != 0 {
		t.Errorf("alice's stream holds %v (%v)", p.Records, err)
	}
}

func TestTableFailureIsUnavailable(t *testing.T) {
	t.Parallel()
	srv := dynamotest.Shared(t)
	s := eventstream.New(srv.Client(), "no-such-table", eventstream.Options{})
	ctx := t.Context()
	_, err1 := s.Append(ctx, "alice", envs("r", "a", 1))
	_, err2 := s.After(ctx, "alice", 0, 0)
	_, err3 := s.Run(ctx, "alice", "r", 0, 0)
	_, err4 := s.Owner(ctx, "c")
	for i, err := range []error{err1, err2, err3, err4} {
		if !errors.Is(err, eventstream.ErrUnavailable) {
			t.Errorf("call %d: err = %v, want ErrUnavailable", i+1, err)
		}
	}
}

// TestThroughStopsBeforeOffsetsStillInFlight: a missing offset may be a write still on its way
// (one request writes its events in parallel) until its reservation is older than InFlight;
// Through must not claim it before then, or a tab that leaves in between would never get it.
func TestThroughStopsBeforeOffsetsStillInFlight(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.append(t, "alice", envs("r1", "a", 5))
	_, err := f.db.DeleteItem(t.Context(), &dynamodb.DeleteItemInput{TableName: &f.table, Key: map[string]types.AttributeValue{
		"userId": &types.AttributeValueMemberS{Value: "alice"}, "sk": &types.AttributeValueMemberS{Value: "e#a-3"},
	}}) // offset 4 not written (yet)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		wait    time.Duration
		through int64
	}{{"just reserved", 0, 3}, {"reservation settled", 2 * time.Minute, 5}} {
		f.advance(tc.wait)
		p, err := f.store.After(t.Context(), "alice", 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !equal(offsets(p.Records), []int64{1, 2, 3, 5}) || p.Through != tc.through || !p.Complete {
			t.Errorf("%s: got %v through %d complete %v, want through %d", tc.name, offsets(p.Records), p.Through, p.Complete, tc.through)
		}
	}
}
