package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/protocol"
)

// figureRounds is how many times each measured shape is emitted.
const figureRounds = 5

// figureBystander is the other user whose emits are timed beside the measured fan-outs.
const figureBystander = "e2e-fig-bystander"

// TestFanoutFigures measures the fan-out shapes BENCHMARKS.md reports, through the local host
// with the real functions and real WebSocket clients: one user with 200 connections x 50
// events and with 3 connections x 500 events (invoke time and time until every tab has every
// event), and another user's emit latency alone, beside a stuck tab's requests and beside the
// 200 x 50 fan-out. It is a measurement, not a check: set AGENTBRIDGE_FANOUT_FIGURES=1.
func TestFanoutFigures(t *testing.T) {
	if os.Getenv("AGENTBRIDGE_FANOUT_FIGURES") != "1" {
		t.Skip("set AGENTBRIDGE_FANOUT_FIGURES=1 to measure the fan-out figures")
	}
	lc := noRetryLambda(shared)
	warmEmitProcesses(t, 3)
	other := dial(t, shared, figureBystander)
	t.Logf("other user's emit, alone: %s", summary(timeEmits(t, lc, figureBystander, other, 20)))

	for _, shape := range []struct{ conns, events int }{{200, 50}, {3, 500}} {
		user := fmt.Sprintf("e2e-fig-%dx%d", shape.conns, shape.events)
		tabs := dialMany(t, user, shape.conns)
		var invokes, arrivals []time.Duration
		for round := range figureRounds {
			inv, all := emitAndWait(t, lc, user, tabs, shape.events, round)
			invokes, arrivals = append(invokes, inv), append(arrivals, all)
		}
		t.Logf("%d connections x %d events: invoke %s; every tab had every event after %s",
			shape.conns, shape.events, summary(invokes), summary(arrivals))
		if shape.conns == 200 {
			during := beside(t, lc, other, func() { emitAndWait(t, lc, user, tabs, shape.events, figureRounds) })
			t.Logf("other user's emit beside a 200 x 50 fan-out: %s", summary(during))
		}
	}

	stuckUser := fmt.Sprintf("e2e-fig-stuck-%d", time.Now().UnixNano())
	stuck := rawWebSocket(t, shared, stuckUser)
	defer stuck.Close()
	fillUntilLimited(t, mappedConnection(t, stuckUser))
	agentBody := stuckRequest(stuckUser)
	for _, concurrent := range []int{1, 10} {
		during := beside(t, lc, other, func() { stuckRequests(t, lc, agentBody, concurrent) })
		t.Logf("other user's emit beside %d concurrent stuck-tab requests: %s", concurrent, summary(during))
	}
}

// stuckRequests sends body n times at once and logs how each invoke answered.
func stuckRequests(t *testing.T, lc *lambda.Client, body []byte, n int) {
	t.Helper()
	ctx := t.Context()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			start := time.Now()
			out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: body})
			if err != nil {
				t.Errorf("stuck-tab request: %v", err)
				return
			}
			t.Logf("request of %d events to a stuck tab answered in %v: %s", slowTabEvents, time.Since(start), out.Payload)
		})
	}
	wg.Wait()
}

// beside emits to another user, one emit after another, while load runs on the test's
// goroutine, and returns each of those emits' durations.
func beside(t *testing.T, lc *lambda.Client, tab *client, load func()) []time.Duration {
	t.Helper()
	stop := make(chan struct{})
	result := make(chan []time.Duration, 1)
	errs := make(chan error, 1)
	go func() {
		var out []time.Duration
		for seq := int64(0); ; seq++ {
			select {
			case <-stop:
				result <- out
				return
			default:
			}
			d, err := bystanderEmit(t.Context(), lc, tab, seq)
			if err != nil {
				errs <- err
				result <- out
				return
			}
			out = append(out, d)
		}
	}()
	load()
	close(stop)
	out := <-result
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	return out
}

// bystanderEmit emits one event to figureBystander and waits for tab to receive it.
func bystanderEmit(ctx context.Context, lc *lambda.Client, tab *client, seq int64) (time.Duration, error) {
	start := time.Now()
	if err := emitOne(ctx, lc, figureBystander, "beside", seq, protocol.AgentThinking, "beside", 1); err != nil {
		return 0, err
	}
	d := time.Since(start)
	if _, err := readEnvelope(ctx, tab); err != nil {
		return 0, err
	}
	return d, nil
}

// dialMany connects n tabs as user, a few at a time.
func dialMany(t *testing.T, user string, n int) []*client {
	t.Helper()
	tabs := make([]*client, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	errs := make(chan error, n)
	for i := range tabs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := dialToken(t.Context(), shared, token(t, user))
			if err != nil {
				errs <- err
				return
			}
			tabs[i] = c
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() {
		for _, c := range tabs {
			c.CloseNow()
		}
	})
	return tabs
}

// emitAndWait emits n events to user in one request and waits until every tab has all of them.
// It returns the invoke's duration and the time until the last tab had its last event.
func emitAndWait(t *testing.T, lc *lambda.Client, user string, tabs []*client, n, round int) (time.Duration, time.Duration) {
	t.Helper()
	ctx := t.Context()
	run := fmt.Sprintf("fig-%d", round)
	var wg sync.WaitGroup
	errs := make(chan error, len(tabs))
	lasts := make([]time.Time, len(tabs))
	start := time.Now()
	for k, c := range tabs {
		wg.Go(func() {
			defer func() { lasts[k] = time.Now() }()
			for i := range n {
				env, err := readEnvelope(ctx, c)
				if err == nil && (env.RunID != run || env.Seq == nil || *env.Seq != int64(i)) {
					err = fmt.Errorf("event %d: run %s seq %v", i, env.RunID, env.Seq)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	body := figureRequest(user, run, n)
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: body})
	invoked := time.Since(start)
	if err != nil || out.FunctionError != nil {
		t.Fatalf("emit %d x %d: %v %s", len(tabs), n, err, out.Payload)
	}
	var rep protocol.DeliveryReport
	if err := json.Unmarshal(out.Payload, &rep); err != nil || rep.Delivered != n*len(tabs) {
		t.Fatalf("report %s (%v), want %d delivered", out.Payload, err, n*len(tabs))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return invoked, slices.MaxFunc(lasts, time.Time.Compare).Sub(start)
}

// figureRequest is one request of n small agent_thinking events.
func figureRequest(user, run string, n int) []byte {
	evs := make([]string, n)
	for i := range evs {
		evs[i] = fmt.Sprintf(`{"type":"agent_thinking","run_id":%q,"seq":%d,"payload":{"text":"chunk %d of the answer"}}`, run, i, i)
	}
	return []byte(fmt.Sprintf(`{"user_id":%q,"events":[%s]}`, user, strings.Join(evs, ",")))
}

// stuckRequest is bigEvents as one emit request body for user.
func stuckRequest(user string) []byte {
	body, _ := json.Marshal(protocol.EmitRequest{UserID: user, Events: bigEvents(slowTabEvents)})
	return body
}

// summary renders durations as median, min and max.
func summary(ds []time.Duration) string {
	if len(ds) == 0 {
		return "no samples"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	r := func(d time.Duration) string { return d.Round(100 * time.Microsecond).String() }
	return fmt.Sprintf("median %s (min %s, max %s, n=%d)", r(s[len(s)/2]), r(s[0]), r(s[len(s)-1]), len(s))
}
