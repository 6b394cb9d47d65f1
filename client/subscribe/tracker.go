package subscribe

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// handledWindow bounds the offsets remembered for deduplication: those within this distance
// below the position (and all above it). Repeats arrive within moments, not thousands of
// events later.
const handledWindow = 4096

// tracker is the protocol state of one subscription across its connections: position,
// deduplication, ordering and the outstanding resume or replay. It does no I/O; the session
// feeds it frames and sends what it asks for.
type tracker struct {
	runID    string
	floor    int64 // Config.After: offsets up to it were not asked for
	position int64
	handled  map[int64]bool
	held     map[int64]Update // stream mode: events beyond position+1, waiting for the gap

	pending     bool // a resume or replay awaits its answer
	pendingAt   time.Time
	requestedAt int64 // the position the outstanding request was sent after
	answered    int   // events received since it was sent
	refusedAt   int64 // the position a resume or replay was last refused at; -1 for none
}

func newTracker(cfg Config) *tracker {
	return &tracker{runID: cfg.RunID, floor: cfg.After, position: cfg.After, handled: map[int64]bool{}, held: map[int64]Update{}, refusedAt: -1}
}

// request returns the resume (or replay) after the position and marks it outstanding.
func (t *tracker) request(now time.Time) any {
	t.pending, t.pendingAt, t.requestedAt, t.answered = true, now, t.position, 0
	if t.runID != "" {
		return protocol.ReplayRequest{Action: protocol.ActionReplay, RunID: t.runID, After: t.position}
	}
	return protocol.ResumeRequest{Action: protocol.ActionResume, After: t.position}
}

// disconnected forgets the outstanding request: its answer cannot come any more.
func (t *tracker) disconnected() { t.pending = false }

// frame handles one received message. It returns the updates to report, in order, and a
// control message to send (nil for none).
func (t *tracker) frame(raw []byte, now time.Time) ([]Update, any) {
	var head struct {
		Type    string  `json:"type"`
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return []Update{{Kind: ServerError, Message: fmt.Sprintf("unreadable message %.80q: %v", raw, err), Position: t.position}}, nil
	}
	switch head.Type {
	case protocol.TypePong:
		return []Update{{Kind: Pong, Position: t.position}}, nil
	case protocol.TypeResumed:
		var r protocol.Resumed
		if err := json.Unmarshal(raw, &r); err != nil {
			return t.unreadable(raw, err), nil
		}
		return t.resumed(&r, now)
	case protocol.TypeReplayed:
		var r protocol.Replayed
		if err := json.Unmarshal(raw, &r); err != nil {
			return t.unreadable(raw, err), nil
		}
		return t.replayed(&r, now)
	case protocol.TypeError:
		var e protocol.ControlError
		if err := json.Unmarshal(raw, &e); err != nil {
			return t.unreadable(raw, err), nil
		}
		return t.refused(&e, now)
	case "":
		if head.Message != nil { // API Gateway's own error frame: {"message":..., "connectionId":...}
			return []Update{{Kind: ServerError, Message: *head.Message, Position: t.position}}, nil
		}
	}
	var env protocol.Envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return t.unreadable(raw, err), nil
	}
	return t.event(Update{Kind: Event, Envelope: env, Raw: raw}, now)
}

func (t *tracker) unreadable(raw []byte, err error) []Update {
	return []Update{{Kind: ServerError, Message: fmt.Sprintf("unreadable message %.80q: %v", raw, err), Position: t.position}}
}

// event deduplicates by offset and, in stream mode, delivers in offset order: an event beyond
// position+1 is held and a resume sent to fill the gap.
func (t *tracker) event(u Update, now time.Time) ([]Update, any) {
	off := u.Envelope.Offset
	if off <= 0 { // a stack without a stream: nothing to track
		u.Position = t.position
		return []Update{u}, nil
	}
	t.answered++
	if t.handled[off] || off <= t.floor || off < t.position-handledWindow {
		return nil, nil // a repeat, not asked for, or too old to tell
	}
	if t.runID != "" {
		if u.Envelope.RunID != t.runID {
			return nil, nil
		}
		t.handled[off] = true
		t.position = max(t.position, off)
		u.Position = t.position
		return []Update{u}, nil
	}
	if _, dup := t.held[off]; dup {
		return nil, nil
	}
	if off > t.position+1 {
		t.held[off] = u
		if t.pending {
			return nil, nil
		}
		return nil, t.request(now)
	}
	// off == position+1, or a late event whose offset a complete resume had settled as
	// skipped: deliver it, late rather than never.
	out := t.deliver(nil, u)
	return t.drain(out), nil
}

// deliver records u as handled and appends it.
func (t *tracker) deliver(out []Update, u Update) []Update {
	off := u.Envelope.Offset
	t.handled[off] = true
	t.position = max(t.position, off)
	u.Position = t.position
	t.prune()
	return append(out, u)
}

// drain delivers held events that have become next in line.
func (t *tracker) drain(out []Update) []Update {
	for {
		u, ok := t.held[t.position+1]
		if !ok {
			return out
		}
		delete(t.held, t.position+1)
		out = t.deliver(out, u)
	}
}

// settle passes every offset up to through: held events up to it are delivered in order (the
// offsets between them do not exist), and the position becomes at least through.
func (t *tracker) settle(out []Update, through int64) []Update {
	for _, off := range t.heldOffsets() {
		if off > through {
			break
		}
		u := t.held[off]
		delete(t.held, off)
		out = t.deliver(out, u)
	}
	t.position = max(t.position, through)
	return t.drain(out)
}

// skipGap gives up on the offsets before the first held event and delivers from there.
func (t *tracker) skipGap(out []Update) []Update {
	offs := t.heldOffsets()
	if len(offs) == 0 {
		return out
	}
	out = append(out, Update{Kind: Gap, From: t.position + 1, Through: offs[0] - 1, Position: t.position})
	t.position = offs[0] - 1
	return t.drain(out)
}

func (t *tracker) heldOffsets() []int64 {
	offs := make([]int64, 0, len(t.held))
	for off := range t.held {
		offs = append(offs, off)
	}
	slices.Sort(offs)
	return offs
}

// resumed ends a resume: everything up to Through is settled. An incomplete answer is
// continued; a gap still open after an answer that made progress is asked for again. One that
// made none is left held: the stack stops Through below an offset a request may still be
// writing, so the event may yet arrive live; expire passes the gap once the resume's timeout
// is over.
func (t *tracker) resumed(r *protocol.Resumed, now time.Time) ([]Update, any) {
	t.pending = false
	out := t.settle(nil, r.Through)
	if !r.Complete && r.Reason == protocol.ReasonExpired {
		out = append(out, Update{Kind: HistoryGone, From: r.After, Through: r.Through, Position: t.position})
	}
	out = append(out, Update{Kind: Resumed, Resumed: r, Position: t.position})
	more := !r.Complete && (r.Reason == protocol.ReasonLimit || t.answered >= protocol.MaxEventsPerAnswer)
	switch {
	case more:
		return out, t.request(now)
	case len(t.held) == 0:
		return out, nil
	case t.position > t.requestedAt:
		return out, t.request(now)
	}
	t.pending = true // still waiting, from the resume's own start, for expire
	return out, nil
}

// replayed ends one replay answer; an incomplete one is continued after its Through.
func (t *tracker) replayed(r *protocol.Replayed, now time.Time) ([]Update, any) {
	t.pending = false
	t.position = max(t.position, r.Through)
	var out []Update
	if !r.Complete && r.Reason == protocol.ReasonExpired {
		out = append(out, Update{Kind: HistoryGone, From: t.requestedAt, Through: r.Through, Position: t.position})
	}
	out = append(out, Update{Kind: Replayed, Replayed: r, Position: t.position})
	if !r.Complete && (r.Reason == protocol.ReasonLimit || t.answered >= protocol.MaxEventsPerAnswer) {
		return out, t.request(now)
	}
	return out, nil
}

// refused handles the stack's error frame for a control message. An answer cut short (the
// stream function throttled or out of time) is worth asking for again at once, so a resume or
// replay refused is sent once more from the same position; refused there again (a request the
// stack cannot take), its gap is passed.
func (t *tracker) refused(e *protocol.ControlError, now time.Time) ([]Update, any) {
	out := []Update{{Kind: ServerError, ControlError: e, Message: e.Message, Position: t.position}}
	if e.Action != protocol.ActionResume && e.Action != protocol.ActionReplay {
		return out, nil
	}
	t.pending = false
	if t.refusedAt != t.position {
		t.refusedAt = t.position
		return out, t.request(now)
	}
	return t.skipGap(out), nil
}

// expire passes the gap of a resume that went unanswered for too long.
func (t *tracker) expire(now time.Time, timeout time.Duration) []Update {
	if !t.pending || now.Sub(t.pendingAt) < timeout {
		return nil
	}
	t.pending = false
	if t.runID != "" {
		return nil
	}
	return t.skipGap(nil)
}

// deadline is when an outstanding request times out; zero when none is outstanding.
func (t *tracker) deadline(timeout time.Duration) time.Time {
	if !t.pending {
		return time.Time{}
	}
	return t.pendingAt.Add(timeout)
}

// prune forgets handled offsets far below the position.
func (t *tracker) prune() {
	if len(t.handled) <= 2*handledWindow {
		return
	}
	for off := range t.handled {
		if off < t.position-handledWindow {
			delete(t.handled, off)
		}
	}
}
