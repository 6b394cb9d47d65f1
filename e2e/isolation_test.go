package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/protocol"
)

// Load shape of the isolation test: every (user, run) pair is one sequential stream emitted
// by its own goroutine, so users*runsPerUser goroutines issue users*runsPerUser*perRun emits.
const (
	isoUsers       = 10
	isoTabsPerUser = 2
	isoRunsPerUser = 2
	isoPerRun      = 50
)

// endRun marks the sentinel event emitted to each user after every other emit returned.
// Posts to one connection arrive in the order they were accepted, so once a tab reads its
// sentinel it has everything that was ever posted to it: what it holds then is the whole
// story, with no waiting for absence.
const endRun = "end"

// TestConcurrentEmitsReachOnlyTheirUser: a thousand emits for ten users, issued from twenty
// goroutines through the Lambda Invoke API to the real EmitFunction. Every tab receives each
// of its own user's events exactly once, in each run's order, and nothing of anyone else's.
func TestConcurrentEmitsReachOnlyTheirUser(t *testing.T) {
	prefix := "e2e-iso-" + strings.ReplaceAll(t.Name(), "/", "-")
	users := make([]string, isoUsers)
	tabs := make(map[string][]*client, isoUsers)
	for i := range users {
		users[i] = fmt.Sprintf("%s-u%d", prefix, i)
		for range isoTabsPerUser {
			tabs[users[i]] = append(tabs[users[i]], dial(t, shared, users[i]))
		}
	}
	received := readUntilEnd(t.Context(), tabs)

	lc := noRetryLambda(shared)
	var wg sync.WaitGroup
	errs := make(chan error, isoUsers*isoRunsPerUser)
	for _, user := range users {
		for r := range isoRunsPerUser {
			wg.Go(func() { errs <- emitRun(t.Context(), lc, user, fmt.Sprintf("r%d", r), isoTabsPerUser) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, user := range users {
		if err := emitOne(t.Context(), lc, user, endRun, 0, protocol.AgentCompleted, "", isoTabsPerUser); err != nil {
			t.Fatal(err)
		}
	}
	for user, perTab := range received {
		for i, ch := range perTab {
			got := <-ch
			if got.err != nil {
				t.Fatalf("%s tab %d: %v", user, i, got.err)
			}
			checkOwnStream(t, fmt.Sprintf("%s tab %d", user, i), user, got.envs)
		}
	}
}

// tabResult is what one tab read before its sentinel.
type tabResult struct {
	envs []protocol.Envelope
	err  error
}

// readUntilEnd starts one reader per tab; each sends what it read before the end sentinel.
func readUntilEnd(ctx context.Context, tabs map[string][]*client) map[string][]chan tabResult {
	out := make(map[string][]chan tabResult, len(tabs))
	for user, cs := range tabs {
		for _, c := range cs {
			ch := make(chan tabResult, 1)
			out[user] = append(out[user], ch)
			go func() {
				var res tabResult
				for {
					env, err := readEnvelope(ctx, c)
					if err != nil {
						res.err = err
						break
					}
					if env.RunID == endRun {
						break
					}
					res.envs = append(res.envs, env)
				}
				ch <- res
			}()
		}
	}
	return out
}

// checkOwnStream holds one tab's events against what its user was sent: each marker once,
// only the user's own, every run complete and in order.
func checkOwnStream(t *testing.T, tab, user string, envs []protocol.Envelope) {
	t.Helper()
	seen := map[string]bool{}
	next := map[string]int64{}
	for _, env := range envs {
		var p struct{ Text string }
		if err := json.Unmarshal(env.Payload, &p); err != nil {
			t.Fatalf("%s: payload %s: %v", tab, env.Payload, err)
		}
		owner, _, _ := strings.Cut(p.Text, "|")
		switch {
		case owner != user:
			t.Fatalf("%s received %q, an event of %s", tab, p.Text, owner)
		case seen[p.Text]:
			t.Fatalf("%s received %q twice", tab, p.Text)
		case env.Seq == nil || *env.Seq != next[env.RunID]:
			t.Fatalf("%s: run %s event %v arrived when %d was due", tab, env.RunID, env.Seq, next[env.RunID])
		}
		seen[p.Text] = true
		next[env.RunID]++
	}
	if len(envs) != isoRunsPerUser*isoPerRun {
		t.Fatalf("%s received %d events, want %d", tab, len(envs), isoRunsPerUser*isoPerRun)
	}
}

// emitRun emits one run's events one after another, each marked "user|run|seq".
func emitRun(ctx context.Context, lc *lambda.Client, user, run string, tabs int) error {
	for seq := range int64(isoPerRun) {
		marker := fmt.Sprintf("%s|%s|%d", user, run, seq)
		if err := emitOne(ctx, lc, user, run, seq, protocol.AgentThinking, marker, tabs); err != nil {
			return err
		}
	}
	return nil
}

// emitOne invokes EmitFunction for one event and checks it reached every tab of the user.
func emitOne(ctx context.Context, lc *lambda.Client, user, run string, seq int64, typ protocol.EventType, text string, tabs int) error {
	ev := map[string]any{"user_id": user, "type": typ, "run_id": run, "seq": seq}
	if text != "" {
		ev["payload"] = map[string]string{"text": text}
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: body})
	if err != nil {
		return fmt.Errorf("invoke for %s: %w", user, err)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("emit for %s failed: %s", user, out.Payload)
	}
	var r protocol.DeliveryReport
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		return fmt.Errorf("report %q: %w", out.Payload, err)
	}
	if r.Connections != tabs || r.Delivered != tabs {
		return fmt.Errorf("emit for %s reported %+v, want %d connections and deliveries", user, r, tabs)
	}
	return nil
}

// noRetryLambda is lambdaClient without SDK retries: a retried invoke could deliver an event
// twice, which would hide exactly what the isolation tests look for.
func noRetryLambda(h *devhost.Host) *lambda.Client {
	return lambda.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: testCreds}, func(o *lambda.Options) {
		o.BaseEndpoint = aws.String(h.BaseURL())
		o.Retryer = aws.NopRetryer{}
	})
}

// TestSmuggledUserIDsDeliverNothing: Go's encoding/json would match "User_ID" to user_id and
// keep the last of duplicated keys, either of which could retarget an event at another user.
// Through the whole stack each such request fails as a ValidationError naming user_id, and
// neither user's tab receives anything.
func TestSmuggledUserIDsDeliverNothing(t *testing.T) {
	const a, b = "e2e-smuggle-a", "e2e-smuggle-b"
	tabA, tabB := dial(t, shared, a), dial(t, shared, b)
	event := `"type":"agent_started","run_id":"smuggled"`
	cases := map[string]string{
		"case-folded key after":    `{"user_id":"` + a + `","User_ID":"` + b + `",` + event + `}`,
		"case-folded key before":   `{"User_ID":"` + b + `","user_id":"` + a + `",` + event + `}`,
		"case-folded key alone":    `{"USER_ID":"` + b + `",` + event + `}`,
		"duplicate key":            `{"user_id":"` + a + `","user_id":"` + b + `",` + event + `}`,
		"duplicate key reversed":   `{"user_id":"` + b + `","user_id":"` + a + `",` + event + `}`,
		"user id inside the event": `{"user_id":"` + a + `","events":[{"user_id":"` + b + `",` + event + `}]}`,
		"leading space":            `{"user_id":" ` + a + `",` + event + `}`,
		"trailing space":           `{"user_id":"` + a + ` ",` + event + `}`,
		"trailing newline":         `{"user_id":"` + a + `\n",` + event + `}`,
		"tab":                      `{"user_id":"` + a + `\t",` + event + `}`,
		"NUL":                      `{"user_id":"` + a + `\u0000",` + event + `}`,
		"zero-width space":         `{"user_id":"\u200b` + a + `",` + event + `}`,
		"bidi override":            `{"user_id":"\u202e` + b + `",` + event + `}`,
	}
	lc := noRetryLambda(shared)
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := lc.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(body)})
			if err != nil {
				t.Fatalf("invoke: %v", err)
			}
			var fe protocol.FunctionError
			_ = json.Unmarshal(out.Payload, &fe)
			if aws.ToString(out.FunctionError) != "Unhandled" || fe.ErrorType != protocol.ErrorTypeValidation {
				t.Fatalf("emit answered %v %s, want a ValidationError", out.FunctionError, out.Payload)
			}
			if !strings.Contains(strings.ToLower(fe.ErrorMessage), "user_id") {
				t.Errorf("error %q does not name user_id", fe.ErrorMessage)
			}
		})
	}
	// Each tab's first message must be the sentinel sent after every smuggling attempt.
	for user, tab := range map[string]*client{a: tabA, b: tabB} {
		if err := emitOne(t.Context(), lc, user, endRun, 0, protocol.AgentCompleted, "", 1); err != nil {
			t.Fatal(err)
		}
		if env := tab.next(t); env.RunID != endRun {
			t.Errorf("%s's tab received %s of run %s from a refused request", user, env.Type, env.RunID)
		}
	}
}
