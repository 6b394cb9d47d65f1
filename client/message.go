package client

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// MessageOptions tune one streamed message. The zero value streams an assistant message.
type MessageOptions struct {
	// Role is one of protocol.MessageRoles. Default "assistant".
	Role string
	// FinalText makes Close send the whole text in message_completed too, for consumers that
	// join late and do not replay the run. Default false: message_completed carries the id only.
	FinalText bool
}

// Message streams one message of a run (an answer written as a model generates it) as
// message_started, message_delta events and message_completed. It is an io.WriteCloser: Write
// queues text and returns at once; queued text leaves as one message_delta per window
// (Config.MessageRate), so a model's tokens cost a bounded number of events however fast they
// come. Queued text is always sent before any other event of the run, so a message never
// overtakes a tool call written after it. Create it with Run.Message; it is safe for concurrent
// use, though text written concurrently interleaves in no particular order.
type Message struct {
	run       *Run
	id        string
	ctx       context.Context
	finalText bool

	// sendMu is held around each delta's send, so deltas leave in the order text was written
	// and a flush forced by another event waits for one already under way.
	sendMu sync.Mutex

	mu       sync.Mutex
	pending  strings.Builder
	full     strings.Builder // the whole text, kept only with FinalText
	timer    stopper         // the armed flush, nil when none is pending
	lastSent time.Time
	err      error // a background send's error, returned by the next Write or Close
	closed   bool
}

// Message starts streaming message messageID (which follows the id rule) in the run and sends
// message_started. ctx bounds the message's sends, Close included, and should outlive it.
func (r *Run) Message(ctx context.Context, messageID string, opts MessageOptions) (*Message, error) {
	if err := checkID("payload.message_id", messageID, true); err != nil {
		return nil, err
	}
	role := opts.Role
	if role == "" {
		role = "assistant"
	}
	if !slices.Contains(protocol.MessageRoles, role) {
		return nil, validationf("payload.role: must be one of %s", strings.Join(protocol.MessageRoles, ", "))
	}
	if _, err := r.emitPayload(ctx, protocol.MessageStarted, protocol.MessageStartedPayload{MessageID: messageID, Role: role}); err != nil {
		return nil, err
	}
	m := &Message{run: r, id: messageID, ctx: ctx, finalText: opts.FinalText}
	r.mu.Lock()
	r.open = append(r.open, m)
	r.mu.Unlock()
	return m, nil
}

// Write queues p as the message's next text. It does not wait for a send; it returns the
// error of an earlier background send, if any, and ErrClosed after Close.
func (m *Message) Write(p []byte) (int, error) { return m.WriteString(string(p)) }

// WriteString is Write for a string.
func (m *Message) WriteString(s string) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch {
	case m.closed:
		return 0, ErrClosed
	case m.err != nil:
		return 0, m.err
	case s == "":
		return 0, nil
	}
	m.pending.WriteString(s)
	if m.finalText {
		m.full.WriteString(s)
	}
	if m.timer == nil {
		clock := m.run.c.clock
		wait := max(0, m.lastSent.Add(m.run.c.cfg.messageWindow()).Sub(clock.Now()))
		m.timer = clock.AfterFunc(wait, m.backgroundFlush)
	}
	return len(s), nil
}

// Close sends the queued text and message_completed, and removes the message from its run.
// Later writes return ErrClosed; Close is idempotent.
func (m *Message) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	full, err := m.full.String(), m.err
	m.mu.Unlock()
	if ferr := m.flush(m.ctx); err == nil {
		err = ferr
	}
	m.run.forget(m)
	if err != nil {
		return err
	}
	p := protocol.MessageCompletedPayload{MessageID: m.id}
	if m.finalText {
		p.Text = full
	}
	_, err = m.run.emitPayload(m.ctx, protocol.MessageCompleted, p)
	return err
}

func (m *Message) backgroundFlush() {
	ctx, cancel := m.run.backgroundContext()
	defer cancel()
	if err := m.flush(ctx); err != nil {
		m.mu.Lock()
		if m.err == nil {
			m.err = err
		}
		m.mu.Unlock()
		m.run.c.cfg.Logger.Warn("message delta send failed", "message_id", m.id, "error", err)
	}
}

// flush sends the queued text as one message_delta, if there is any.
func (m *Message) flush(ctx context.Context) error {
	m.sendMu.Lock()
	defer m.sendMu.Unlock()
	m.mu.Lock()
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	text := m.pending.String()
	m.pending.Reset()
	if text != "" {
		m.lastSent = m.run.c.clock.Now()
	}
	m.mu.Unlock()
	if text == "" {
		return nil
	}
	raw, err := json.Marshal(protocol.MessageDeltaPayload{MessageID: m.id, Delta: text})
	if err != nil {
		return fmt.Errorf("encode message_delta payload: %w", err)
	}
	_, err = m.run.emit(ctx, protocol.Event{Type: protocol.MessageDelta, Payload: raw})
	return err
}

// flushMessages sends the queued text of every open message of the run, so an event about
// to be numbered follows everything written before it.
func (r *Run) flushMessages(ctx context.Context) error {
	r.mu.Lock()
	open := slices.Clone(r.open)
	r.mu.Unlock()
	for _, m := range open {
		if err := m.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *Run) forget(m *Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.open = slices.DeleteFunc(r.open, func(o *Message) bool { return o == m })
}
