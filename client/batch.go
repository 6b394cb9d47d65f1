package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// batchState is a Run's batching queue; Run.mu guards it.
//
// Events collect in pending. Cutting moves pending to the end of ready, a FIFO of batches
// waiting to be sent. Whoever holds the Run's send slot drains ready front to back, so
// batches leave in the order they were cut, which is seq order, whichever goroutine (a
// caller, Flush, or the delay timer) happens to send them.
type batchState struct {
	pending      []json.RawMessage
	pendingBytes int
	ready        [][]json.RawMessage
	timer        *time.Timer
	// timerGen identifies the armed timer, so a timer that fired late does not cut a batch
	// that a newer timer owns.
	timerGen uint64
	// err holds errors of background sends until a call reports them.
	err error
}

// requestOverhead leaves room for the request's user_id and punctuation when sizing batches.
const requestOverhead = 1024

// enqueue numbers ev and queues it; if that fills a batch, it sends what is ready.
func (r *Run) enqueue(ctx context.Context, ev protocol.Event) error {
	r.mu.Lock()
	if err := r.batch.err; err != nil {
		// Report the earlier failure now; this event is not queued, so the caller knows
		// exactly which events an error covers: the earlier ones and this one.
		r.batch.err = nil
		r.mu.Unlock()
		return err
	}
	raw, err := r.numberLocked(ev)
	if err != nil {
		r.mu.Unlock()
		return err
	}
	b := &r.batch
	cut := false
	if len(b.pending) > 0 && b.pendingBytes+len(raw)+requestOverhead > r.c.maxRequestBytes() {
		r.cutLocked()
		cut = true
	}
	b.pending = append(b.pending, raw)
	b.pendingBytes += len(raw) + 1
	if len(b.pending) >= r.c.cfg.BatchSize {
		r.cutLocked()
		cut = true
	} else if b.timer == nil {
		gen := b.timerGen
		b.timer = time.AfterFunc(r.batchDelay(), func() { r.flushInBackground(gen) })
	}
	r.mu.Unlock()
	if !cut {
		return nil
	}
	return r.drain(ctx)
}

// cutLocked moves the pending events to the ready queue and disarms the timer.
func (r *Run) cutLocked() {
	b := &r.batch
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	b.timerGen++
	if len(b.pending) == 0 {
		return
	}
	b.ready = append(b.ready, b.pending)
	b.pending, b.pendingBytes = nil, 0
}

// drain sends ready batches in order while holding the send slot.
func (r *Run) drain(ctx context.Context) error {
	if err := r.acquire(ctx); err != nil {
		return err
	}
	defer r.release()
	return r.sendReady(ctx)
}

// sendReady sends ready batches front to back; the caller holds the send slot. It stops
// early when ctx ends, leaving the rest for the next drain.
func (r *Run) sendReady(ctx context.Context) error {
	var errs []error
	for ctx.Err() == nil {
		r.mu.Lock()
		if len(r.batch.ready) == 0 {
			r.mu.Unlock()
			break
		}
		batch := r.batch.ready[0]
		r.batch.ready = r.batch.ready[1:]
		r.mu.Unlock()
		if _, err := r.c.invoke(ctx, r.userID, batch); err != nil {
			errs = append(errs, fmt.Errorf("batch of %d events lost: %w", len(batch), err))
		}
	}
	return errors.Join(errs...)
}

// flushInBackground is the delay timer's work: cut and send. An error is kept for the Run's
// next call; it is stored before the send slot is released, so a Flush that follows this
// flush always sees it.
func (r *Run) flushInBackground(gen uint64) {
	r.mu.Lock()
	if r.batch.timerGen != gen {
		r.mu.Unlock()
		return
	}
	r.cutLocked()
	r.mu.Unlock()

	ctx, cancel := r.backgroundContext()
	defer cancel()
	if err := r.acquire(ctx); err != nil {
		return // the batch stays ready for the next drain
	}
	defer r.release()
	if err := r.sendReady(ctx); err != nil {
		r.mu.Lock()
		r.batch.err = errors.Join(r.batch.err, err)
		r.mu.Unlock()
		r.c.cfg.Logger.LogAttrs(ctx, slog.LevelError, "emit: background flush failed",
			slog.String("run_id", r.runID), slog.String("err", err.Error()))
	}
}

// Flush sends every queued event now and waits for the sends. It returns errors of earlier
// background sends not yet reported together with its own. Without batching there is
// nothing queued: Flush only waits for a send in flight.
func (r *Run) Flush(ctx context.Context) error {
	if err := r.acquire(ctx); err != nil {
		return err
	}
	defer r.release()
	r.mu.Lock()
	earlier := r.batch.err
	r.batch.err = nil
	r.cutLocked()
	r.mu.Unlock()
	return errors.Join(earlier, r.sendReady(ctx))
}
