package stacktest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/agentbridge/agentbridge/protocol"
)

// TestIsolationUnderConcurrentEmits: 20 users with 3 connections each; 1000 emits spread over
// 100 runs (5 per user) run concurrently, each run emitting its 10 events in sequence, while
// smuggling requests naming two users run beside them. Every connection must receive exactly
// the events of its own user, each once, in seq order per run, and nothing smuggled.
func TestIsolationUnderConcurrentEmits(t *testing.T) {
	t.Parallel()
	const users, connsPerUser, runsPerUser, eventsPerRun = 20, 3, 5, 10
	s := newStack(t)
	connsOf := map[string][]string{}
	for u := range users {
		user := fmt.Sprintf("user-%02d", u)
		for c := range connsPerUser {
			id := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%s/c%d", user, c)))
			s.connectAs(t, user, id)
			connsOf[user] = append(connsOf[user], id)
		}
	}

	var wg sync.WaitGroup
	errs := make(chan error, users*runsPerUser+users)
	for user := range connsOf {
		for r := range runsPerUser {
			run := fmt.Sprintf("%s-run-%d", user, r)
			wg.Go(func() {
				for seq := range eventsPerRun {
					body := fmt.Sprintf(`{"user_id":%q,"type":"agent_thinking","run_id":%q,"seq":%d,"payload":{"text":"for %s"}}`, user, run, seq, user)
					report, err := s.emit.Handle(t.Context(), json.RawMessage(body))
					if err != nil {
						errs <- fmt.Errorf("%s seq %d: %w", run, seq, err)
						return
					}
					if report.Delivered != connsPerUser || report.Connections != connsPerUser {
						errs <- fmt.Errorf("%s seq %d: report %+v", run, seq, report)
					}
				}
			})
		}
		wg.Go(func() { errs <- smuggle(t.Context(), s, user) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	eventIDs := map[string]string{} // event id -> "run/seq", across all connections
	for user, ids := range connsOf {
		for _, id := range ids {
			checkConnection(t, user, id, envelopes(t, s.mgmt.Posts(id)), runsPerUser, eventsPerRun, eventIDs)
		}
	}
	if len(eventIDs) != users*runsPerUser*eventsPerRun {
		t.Errorf("%d distinct event ids, want %d", len(eventIDs), users*runsPerUser*eventsPerRun)
	}
}

// checkConnection asserts one connection's stream: only its user's runs, every (run, seq) once,
// seq increasing per run, and one event id per (run, seq) shared by all connections.
func checkConnection(t *testing.T, user, id string, envs []protocol.Envelope, runs, perRun int, eventIDs map[string]string) {
	t.Helper()
	if len(envs) != runs*perRun {
		t.Errorf("%s of %s received %d events, want %d", id, user, len(envs), runs*perRun)
	}
	next := map[string]int64{}
	for _, e := range envs {
		if !strings.HasPrefix(e.RunID, user+"-run-") || string(e.Payload) != `{"text":"for `+user+`"}` {
			t.Errorf("%s of %s received another user's event: run %s payload %s", id, user, e.RunID, e.Payload)
			continue
		}
		if e.Seq == nil || *e.Seq != next[e.RunID] {
			t.Errorf("%s: run %s seq %v arrived, want %d (lost, repeated or reordered)", id, e.RunID, e.Seq, next[e.RunID])
			continue
		}
		next[e.RunID]++
		key := fmt.Sprintf("%s/%d", e.RunID, *e.Seq)
		if prev, ok := eventIDs[e.EventID]; ok && prev != key {
			t.Errorf("event id %s names both %s and %s", e.EventID, prev, key)
		}
		eventIDs[e.EventID] = key
	}
}

// smuggle sends requests that try to reach another user; each must be refused as a
// ValidationError. The victim's streams are checked by the caller: nothing smuggled arrives
// because every smuggled run id names the attacker's user, which checkConnection would flag.
func smuggle(ctx context.Context, s *stack, user string) error {
	victim := "user-00"
	if user == victim {
		victim = "user-01"
	}
	bodies := []string{
		fmt.Sprintf(`{"user_id":%q,"User_ID":%q,"type":"agent_started","run_id":"smuggled"}`, user, victim),
		fmt.Sprintf(`{"user_id":%q,"user_id":%q,"type":"agent_started","run_id":"smuggled"}`, user, victim),
		fmt.Sprintf(`{"user_id":%q,"events":[{"user_id":%q,"type":"agent_started","run_id":"smuggled"}]}`, user, victim),
		fmt.Sprintf(`{"user_id":"%s ","type":"agent_started","run_id":"smuggled"}`, victim),
		fmt.Sprintf(`{"user_id":"%s\u200b","type":"agent_started","run_id":"smuggled"}`, victim),
		fmt.Sprintf(`{"USER_ID":%q,"type":"agent_started","run_id":"smuggled"}`, victim),
	}
	for _, b := range bodies {
		_, err := s.emit.Handle(ctx, json.RawMessage(b))
		var fe messages.InvokeResponse_Error
		if !errors.As(err, &fe) || fe.Type != protocol.ErrorTypeValidation {
			return fmt.Errorf("smuggling request %s: err %v, want ValidationError", b, err)
		}
	}
	return nil
}
