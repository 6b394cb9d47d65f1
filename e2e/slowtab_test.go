package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	agentclient "github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/protocol"
)

// Shape of the slow-tab test: one request of slowTabEvents events of slowTabEventBytes each
// to a user whose stuck tab's socket and send queue are already full.
const (
	slowTabEvents     = 40
	slowTabEventBytes = 100 << 10
	// promptBound is far above what the reading tabs need (a few seconds on a loaded machine)
	// and far below what serving them behind the stuck tab would cost: one throttle budget per
	// message (40 x 1.5 s) or the function's 29 s timeout and the client's resends.
	promptBound = 15 * time.Second
)

// TestTabThatNeverReadsCostsOnlyItself: a user has one tab that never reads (its buffers full,
// so the gateway answers 429) and two that do. One request of 40 large events, sent by the Go
// agent client, is exactly one invoke that returns a report well within the function's
// timeout: the two reading tabs receive every event once, in order, promptly; the stuck tab's
// 40 messages are reported throttled. An emit to another user while that request is being
// delivered returns before it does.
func TestTabThatNeverReadsCostsOnlyItself(t *testing.T) {
	ctx := t.Context()
	// Users of their own per run: an earlier run's tabs may still be mapped until their
	// $disconnect has run.
	user := fmt.Sprintf("e2e-slowtab-%d", time.Now().UnixNano())
	bystander := user + "-bystander"
	stuck := rawWebSocket(t, shared, user)
	defer stuck.Close()
	fillUntilLimited(t, mappedConnection(t, user))
	tabs := []*client{dial(t, shared, user), dial(t, shared, user)}
	other := dial(t, shared, bystander)
	lc := noRetryLambda(shared)
	warmEmitProcesses(t, 3)
	baseline := timeEmits(t, lc, bystander, other, 3)

	arrivals := make([]chan tabArrival, len(tabs))
	firstArrived := make(chan struct{})
	var once sync.Once
	for i, c := range tabs {
		arrivals[i] = readArrivals(ctx, c, func() { once.Do(func() { close(firstArrived) }) })
	}
	agent := agentclient.New(lambdaClient(shared), "", agentclient.Config{})
	type outcome struct {
		rep   *protocol.DeliveryReport
		err   error
		ended time.Time
	}
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		rep, err := agent.Send(ctx, user, bigEvents(slowTabEvents)...)
		done <- outcome{rep, err, time.Now()}
	}()
	<-firstArrived // the request is being fanned out now
	during := timeEmits(t, lc, bystander, other, 1)[0]
	duringEnded := time.Now()
	res := <-done
	if res.err != nil {
		t.Fatalf("emit with a stuck tab: %v", res.err)
	}
	t.Logf("emit with a stuck tab answered in %v: %+v; another user's emit meanwhile took %v (alone: %v)",
		res.ended.Sub(start), *res.rep, during, baseline)

	if n := agent.Stats().Invokes; n != 1 {
		t.Errorf("the agent client made %d invokes for one request, want 1", n)
	}
	want := protocol.DeliveryReport{Events: slowTabEvents, Stored: slowTabEvents, Connections: 3, Delivered: 2 * slowTabEvents, Throttled: slowTabEvents}
	if *res.rep != want {
		t.Errorf("report %+v, want %+v", *res.rep, want)
	}
	if !duringEnded.Before(res.ended) {
		t.Errorf("the other user's emit ended %v after the stuck request began, after that request (%v): it waited",
			duringEnded.Sub(start), res.ended.Sub(start))
	}
	emit(t, shared, `{"user_id":"`+user+`","type":"agent_completed","run_id":"`+endRun+`"}`)
	for i, ch := range arrivals {
		got := <-ch
		if got.err != nil {
			t.Fatalf("tab %d: %v", i, got.err)
		}
		checkBigEvents(t, i, got.envs)
		t.Logf("tab %d had all %d events %v after the request was sent", i, len(got.envs), got.last.Sub(start))
		if took := got.last.Sub(start); took > promptBound {
			t.Errorf("tab %d received its last event after %v: it was served behind the stuck tab", i, took)
		}
	}
}

// warmEmitProcesses starts n emit processes on the host, so that concurrent emits measure
// delivery rather than cold starts.
func warmEmitProcesses(t *testing.T, n int) {
	t.Helper()
	ctx := t.Context()
	lc := noRetryLambda(shared)
	errs := make(chan error, n)
	for range n {
		go func() { errs <- emitOne(ctx, lc, "e2e-warm-up", "warm", 0, protocol.AgentStarted, "", 0) }()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// bigEvents is one run of n agent_thinking events of slowTabEventBytes each.
func bigEvents(n int) []protocol.Event {
	text := strings.Repeat("x", slowTabEventBytes)
	evs := make([]protocol.Event, n)
	for i := range evs {
		seq := int64(i)
		evs[i] = protocol.Event{Type: protocol.AgentThinking, RunID: "slow", Seq: &seq,
			Payload: []byte(fmt.Sprintf(`{"text":"%d|%s"}`, i, text))}
	}
	return evs
}

// checkBigEvents holds a reading tab's envelopes against bigEvents: each once, in order.
func checkBigEvents(t *testing.T, tab int, envs []protocol.Envelope) {
	t.Helper()
	if len(envs) != slowTabEvents {
		t.Fatalf("tab %d received %d events, want %d", tab, len(envs), slowTabEvents)
	}
	ids := map[string]bool{}
	for i, env := range envs {
		if env.Seq == nil || *env.Seq != int64(i) || ids[env.EventID] {
			t.Fatalf("tab %d: event %d has seq %v, id %s (seen before: %v)", tab, i, env.Seq, env.EventID, ids[env.EventID])
		}
		ids[env.EventID] = true
	}
}

// tabArrival is what one tab read before the end sentinel, and when its last event came.
type tabArrival struct {
	envs []protocol.Envelope
	last time.Time
	err  error
}

// readArrivals reads c in the background until the end sentinel, calling first once an event
// has arrived.
func readArrivals(ctx context.Context, c *client, first func()) chan tabArrival {
	ch := make(chan tabArrival, 1)
	go func() {
		var a tabArrival
		for {
			env, err := readEnvelope(ctx, c)
			if err != nil {
				a.err = err
				break
			}
			if env.RunID == endRun {
				break
			}
			a.envs, a.last = append(a.envs, env), time.Now()
			first()
		}
		ch <- a
	}()
	return ch
}

// timeEmits emits n events to user one after another, each read by tab, and returns each
// emit's duration.
func timeEmits(t *testing.T, lc *lambda.Client, user string, tab *client, n int) []time.Duration {
	t.Helper()
	ctx := t.Context()
	var out []time.Duration
	for i := range n {
		start := time.Now()
		if err := emitOne(ctx, lc, user, "bystander", int64(i), protocol.AgentThinking, user+"|"+fmt.Sprint(i), 1); err != nil {
			t.Fatal(err)
		}
		out = append(out, time.Since(start))
		if env := tab.next(t); env.RunID != "bystander" {
			t.Fatalf("bystander received run %q", env.RunID)
		}
	}
	return out
}
