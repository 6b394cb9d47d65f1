package subscribe

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

func envelope(off int64, run string) string {
	return fmt.Sprintf(`{"type":"agent_thinking","event_id":"evt_%d","offset":%d,"run_id":%q,"timestamp":"2026-01-20T11:55:00.301Z","payload":{"text":"x"}}`, off, off, run)
}

func resumed(after, through int64, complete bool, reason string) string {
	b, _ := json.Marshal(protocol.Resumed{Type: protocol.TypeResumed, After: after, Through: through, Complete: complete, Reason: reason})
	return string(b)
}

// TestTrackerStream feeds frames to a stream-mode tracker and checks what it delivers, what
// it asks for and where its position ends.
func TestTrackerStream(t *testing.T) {
	tests := []struct {
		name      string
		after     int64
		frames    []string
		delivered []int64
		requests  []int64 // the after of each resume sent, beyond the first
		kinds     []Kind  // non-event updates, in order
		position  int64
	}{
		{
			name:      "in order",
			frames:    []string{envelope(1, "r"), envelope(2, "r"), resumed(0, 2, true, "")},
			delivered: []int64{1, 2}, kinds: []Kind{Resumed}, position: 2,
		},
		{
			name:      "repeats dropped",
			frames:    []string{envelope(1, "r"), envelope(1, "r"), envelope(2, "r"), envelope(1, "r")},
			delivered: []int64{1, 2}, position: 2,
		},
		{
			name:      "jump held until the resume fills it",
			frames:    []string{resumed(0, 1, true, ""), envelope(3, "r"), envelope(2, "r"), envelope(3, "r"), resumed(1, 3, true, "")},
			delivered: []int64{2, 3}, requests: []int64{1}, kinds: []Kind{Resumed, Resumed}, position: 3,
		},
		{
			name:      "skipped offset settled by a complete resume",
			frames:    []string{envelope(1, "r"), envelope(3, "r"), resumed(0, 3, true, "")},
			delivered: []int64{1, 3}, kinds: []Kind{Resumed}, position: 3,
		},
		{
			name:      "late event of a settled offset still delivered once",
			frames:    []string{envelope(1, "r"), envelope(3, "r"), resumed(0, 3, true, ""), envelope(2, "r"), envelope(2, "r")},
			delivered: []int64{1, 3, 2}, kinds: []Kind{Resumed}, position: 3,
		},
		{
			name:      "limit continues after through",
			frames:    []string{envelope(1, "r"), envelope(2, "r"), resumed(0, 2, false, protocol.ReasonLimit)},
			delivered: []int64{1, 2}, requests: []int64{2}, kinds: []Kind{Resumed}, position: 2,
		},
		{
			name:      "expired history reported and passed",
			after:     3,
			frames:    []string{envelope(9, "r"), envelope(10, "r"), resumed(3, 10, false, protocol.ReasonExpired)},
			delivered: []int64{9, 10}, kinds: []Kind{HistoryGone, Resumed}, position: 10,
		},
		{
			name:      "offsets up to After are not asked for",
			after:     5,
			frames:    []string{envelope(5, "r"), envelope(6, "r")},
			delivered: []int64{6}, position: 6,
		},
		{
			name: "gap whose resume is refused twice is passed",
			frames: []string{envelope(1, "r"), resumed(0, 1, true, ""), envelope(4, "r"),
				`{"type":"error","action":"resume","message":"after: must be an integer >= 0"}`,
				`{"type":"error","action":"resume","message":"after: must be an integer >= 0"}`},
			delivered: []int64{1, 4}, requests: []int64{1, 1}, kinds: []Kind{Resumed, ServerError, ServerError, Gap}, position: 4,
		},
		{
			name: "answer cut short is asked for again",
			frames: []string{envelope(1, "r"), resumed(0, 1, true, ""), envelope(4, "r"),
				`{"type":"error","action":"resume","message":"answer cut short before it was complete; ask again"}`,
				envelope(2, "r"), envelope(3, "r"), resumed(1, 4, true, "")},
			delivered: []int64{1, 2, 3, 4}, requests: []int64{1, 1}, kinds: []Kind{Resumed, ServerError, Resumed}, position: 4,
		},
		{
			name:   "API Gateway error frame reported",
			frames: []string{`{"message":"Forbidden","connectionId":"abc=","requestId":"def="}`},
			kinds:  []Kind{ServerError},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTracker(Config{After: tc.after})
			now := time.Now()
			tr.request(now)
			var delivered, requests []int64
			var kinds []Kind
			for _, f := range tc.frames {
				updates, send := tr.frame([]byte(f), now)
				for _, u := range updates {
					if u.Kind == Event {
						delivered = append(delivered, u.Envelope.Offset)
					} else {
						kinds = append(kinds, u.Kind)
					}
				}
				if send != nil {
					requests = append(requests, send.(protocol.ResumeRequest).After)
				}
			}
			if !slices.Equal(delivered, tc.delivered) || !slices.Equal(requests, tc.requests) ||
				!slices.Equal(kinds, tc.kinds) || tr.position != tc.position {
				t.Errorf("delivered %v requests %v kinds %v position %d; want %v %v %v %d",
					delivered, requests, kinds, tr.position, tc.delivered, tc.requests, tc.kinds, tc.position)
			}
		})
	}
}

func TestTrackerRunModeFiltersAndDedupes(t *testing.T) {
	tr := newTracker(Config{RunID: "r1"})
	now := time.Now()
	if req, ok := tr.request(now).(protocol.ReplayRequest); !ok || req.RunID != "r1" || req.After != 0 {
		t.Fatalf("request %+v", req)
	}
	var delivered []int64
	for _, f := range []string{envelope(1, "r1"), envelope(2, "r2"), envelope(4, "r1"), envelope(1, "r1"),
		`{"type":"replayed","run_id":"r1","through":4,"complete":true}`, envelope(7, "r1")} {
		updates, send := tr.frame([]byte(f), now)
		if send != nil {
			t.Errorf("sent %+v; run mode has no gaps to fill", send)
		}
		for _, u := range updates {
			if u.Kind == Event {
				delivered = append(delivered, u.Envelope.Offset)
			}
		}
	}
	if !slices.Equal(delivered, []int64{1, 4, 7}) || tr.position != 7 {
		t.Errorf("delivered %v position %d", delivered, tr.position)
	}
	if req := tr.request(now).(protocol.ReplayRequest); req.After != 7 {
		t.Errorf("replay after reconnect %+v, want after 7", req)
	}
}

func TestTrackerExpireAfterTimeout(t *testing.T) {
	tr := newTracker(Config{})
	now := time.Now()
	tr.request(now)
	tr.frame([]byte(resumed(0, 0, true, "")), now)
	tr.frame([]byte(envelope(2, "r")), now) // jump: a resume goes out
	if got := tr.expire(now.Add(time.Second), 2*time.Second); got != nil {
		t.Fatalf("expired early: %+v", got)
	}
	got := tr.expire(now.Add(2*time.Second), 2*time.Second)
	if len(got) != 2 || got[0].Kind != Gap || got[0].From != 1 || got[0].Through != 1 || got[1].Envelope.Offset != 2 {
		t.Fatalf("expire = %+v", got)
	}
}

func TestBackoffFullJitterCapped(t *testing.T) {
	b := backoff{min: 100 * time.Millisecond, max: time.Second}
	ceilings := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, c := range ceilings {
		if d := b.next(); d < 0 || d > c*time.Millisecond {
			t.Errorf("attempt %d: %v, want within [0, %vms]", i, d, c)
		}
	}
	for range 100 { // far beyond the shift width: still capped
		if d := b.next(); d > time.Second {
			t.Fatalf("delay %v beyond the cap", d)
		}
	}
	b.reset()
	if d := b.next(); d > 100*time.Millisecond {
		t.Errorf("after reset: %v", d)
	}
}

// TestBackoffLongOutageWithLargeMinimum: a minimum above 4.3 s used to overflow the doubling
// after 32 failures into a negative ceiling, and rand.N panicked.
func TestBackoffLongOutageWithLargeMinimum(t *testing.T) {
	b := backoff{min: 5 * time.Second, max: time.Minute}
	for i := range 200 {
		if d := b.next(); d < 0 || d > time.Minute {
			t.Fatalf("attempt %d: %v, want within [0, 1m]", i, d)
		}
	}
}

// TestTrackerWaitsForAnOffsetStillBeingWritten: a complete resume that makes no progress (the
// stack stops through below an offset a request is still writing) is no gap yet: the event
// that arrives late is delivered in order, and only a gap still open after the resume's
// timeout is reported.
func TestTrackerWaitsForAnOffsetStillBeingWritten(t *testing.T) {
	for _, late := range []bool{true, false} {
		t.Run(fmt.Sprintf("late=%v", late), func(t *testing.T) {
			tr := newTracker(Config{})
			now := time.Now()
			tr.request(now)
			tr.frame([]byte(resumed(0, 1, true, "")), now)
			tr.frame([]byte(envelope(3, "r")), now) // jump: a resume after 1 goes out
			var kinds []Kind
			var delivered []int64
			record := func(us []Update) {
				for _, u := range us {
					if u.Kind == Event {
						delivered = append(delivered, u.Envelope.Offset)
					} else {
						kinds = append(kinds, u.Kind)
					}
				}
			}
			us, _ := tr.frame([]byte(resumed(1, 1, true, "")), now) // no progress: 2 is in flight
			record(us)
			if late {
				us, _ = tr.frame([]byte(envelope(2, "r")), now.Add(time.Second))
				record(us)
			}
			record(tr.expire(now.Add(20*time.Second), 10*time.Second))
			want, wantKinds := []int64{2, 3}, []Kind{Resumed}
			if !late {
				want, wantKinds = []int64{3}, []Kind{Resumed, Gap}
			}
			if !slices.Equal(delivered, want) || !slices.Equal(kinds, wantKinds) {
				t.Errorf("delivered %v, updates %v; want %v, %v", delivered, kinds, want, wantKinds)
			}
		})
	}
}
