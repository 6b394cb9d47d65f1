package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/protocol"
)

// fileEvent is one event read from a JSON Lines file, with the user it goes to.
type fileEvent struct {
	line  int
	user  string
	event protocol.Event
}

// emitFile sends a JSON Lines file of events. The whole file is read and checked first, so
// a bad line stops the command before anything is sent.
func emitFile(ctx context.Context, c *client.Client, f *emitFlags, stdout, stderr io.Writer) error {
	events, err := readEventFile(f.file, f.user)
	if err != nil {
		return err
	}
	s := &fileSender{c: c, batch: f.batch, total: len(events), progress: isTerminal(stderr), stderr: stderr}
	start := time.Now()
	s.send(ctx, events)
	s.summarize(stdout, time.Since(start))
	if s.failedInvokes > 0 {
		return fmt.Errorf("%d invokes failed, %d events not sent", s.failedInvokes, s.total-s.sent)
	}
	return nil
}

// readEventFile parses every line of path ("-" for stdin); defaultUser fills missing user_ids.
func readEventFile(path, defaultUser string) ([]fileEvent, error) {
	r := io.Reader(os.Stdin)
	if path != "-" {
		file, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer file.Close()
		r = file
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), protocol.MaxRequestBytes)
	var events []fileEvent
	for n := 1; sc.Scan(); n++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 || text[0] == '#' {
			continue
		}
		ev, err := parseEventLine(text, defaultUser)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		ev.line = n
		events = append(events, ev)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("%s: no events", path)
	}
	return events, nil
}

// parseEventLine decodes one line: an event, optionally with a user_id beside its fields.
func parseEventLine(text []byte, defaultUser string) (fileEvent, error) {
	var line struct {
		UserID string `json:"user_id"`
		protocol.Event
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&line); err != nil {
		return fileEvent{}, fmt.Errorf("not an event: %w", err)
	}
	if dec.More() {
		return fileEvent{}, fmt.Errorf("more than one JSON value on the line")
	}
	if line.UserID == "" {
		line.UserID = defaultUser
	}
	if line.UserID == "" {
		return fileEvent{}, fmt.Errorf("no user_id, and no --user default")
	}
	if err := client.Validate(line.UserID, line.Event); err != nil {
		return fileEvent{}, err
	}
	return fileEvent{user: line.UserID, event: line.Event}, nil
}

// fileSender sends a file's events grouped per user, each user's in file order.
type fileSender struct {
	c        *client.Client
	batch    int
	total    int
	progress bool
	stderr   io.Writer

	sent, failedInvokes int
}

// send walks the events in file order, sending a user's batch whenever it fills. After a
// failed invoke it sends nothing more for that user, so a user never gets later events after
// earlier ones were lost.
func (s *fileSender) send(ctx context.Context, events []fileEvent) {
	pending := map[string][]fileEvent{}
	var order []string // users with pending events, by first pending line
	failed := map[string]bool{}
	flush := func(user string) {
		batch := pending[user]
		delete(pending, user)
		if failed[user] || len(batch) == 0 || ctx.Err() != nil {
			return
		}
		if !s.sendBatch(ctx, user, batch) {
			failed[user] = true
		}
	}
	for _, ev := range events {
		if len(pending[ev.user]) == 0 {
			order = append(order, ev.user)
		}
		pending[ev.user] = append(pending[ev.user], ev)
		if len(pending[ev.user]) == s.batch {
			flush(ev.user)
		}
	}
	for _, user := range order {
		flush(user)
	}
	if s.progress {
		fmt.Fprint(s.stderr, "\r\033[K")
	}
}

// sendBatch makes one emit request and reports whether it succeeded.
func (s *fileSender) sendBatch(ctx context.Context, user string, batch []fileEvent) bool {
	evs := make([]protocol.Event, len(batch))
	for i, fe := range batch {
		evs[i] = fe.event
	}
	if _, err := s.c.Send(ctx, user, evs...); err != nil {
		s.failedInvokes++
		fmt.Fprintf(s.stderr, "lines %d-%d (user %s): %v%s\n", batch[0].line, batch[len(batch)-1].line, user, err, lineHint(err, batch))
		return false
	}
	s.sent += len(batch)
	if s.progress {
		fmt.Fprintf(s.stderr, "\r\033[Ksent %d/%d events, %d invokes", s.sent, s.total, s.c.Stats().Invokes)
	}
	return true
}

// lineHint turns an error naming "events[i]" into the file line of that event.
func lineHint(err error, batch []fileEvent) string {
	msg := err.Error()
	at := strings.Index(msg, "events[")
	if at < 0 {
		return ""
	}
	var i int
	if _, scanErr := fmt.Sscanf(msg[at:], "events[%d]", &i); scanErr != nil || i < 0 || i >= len(batch) {
		return ""
	}
	return fmt.Sprintf(" (line %d)", batch[i].line)
}

func (s *fileSender) summarize(w io.Writer, elapsed time.Duration) {
	st := s.c.Stats()
	rate := float64(st.Events) / max(elapsed.Seconds(), 1e-9)
	fmt.Fprintf(w, "events sent: %d/%d  invokes: %d  delivered: %d  stale removed: %d  throttled: %d  failed: %d  not attempted: %d  elapsed: %s  (%.0f events/s)\n",
		st.Events, s.total, st.Invokes, st.Delivered, st.StaleRemoved, st.Throttled, st.Failed, st.NotAttempted, elapsed.Round(time.Millisecond), rate)
}
