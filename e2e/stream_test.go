package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/protocol"
)

func TestReconnectedTabResumesExactlyTheMissedEvents(t *testing.T) {
	const user = "e2e-resume"
	tb := newTab(t, shared, user)
	emit(t, shared, runEvents(user, "r", 0, 3))
	for range 3 {
		f, err := tb.read(60 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		tb.handle(f)
	}
	seen := tb.position
	tb.c.CloseNow() // the page reloads; the events below arrive while it is away
	emit(t, shared, runEvents(user, "r", 3, 5))
	emit(t, shared, runEvents(user, "r", 5, 7))
	tb.c = dial(t, shared, user)
	envs, end, err := tb.resume()
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(envs); !slices.Equal(got, seqRange(3, 7)) {
		t.Errorf("resume after %d sent seqs %v, want 3..6 once each in order", seen, got)
	}
	for i, f := range envs {
		if f.Offset != seen+1+int64(i) {
			t.Errorf("envelope %d has offset %d, want %d", i, f.Offset, seen+1+int64(i))
		}
	}
	if !end.Complete || end.After != seen || end.Through != seen+4 {
		t.Errorf("resumed = %+v, want complete through %d", end, seen+4)
	}
	if _, err := tb.read(300 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("more arrived after resumed: %v", err)
	}
}

func TestTabOpenedMidRunReplaysTheWholeRun(t *testing.T) {
	const user = "e2e-replay"
	emit(t, shared, runEvents(user, "other", 0, 2))
	emit(t, shared, runEvents(user, "mid", 0, 3))
	tb := newTab(t, shared, user)
	envs, end, err := tb.until(`{"action":"replay","run_id":"mid"}`)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqs(envs); !slices.Equal(got, seqRange(0, 3)) || envs[0].RunID != "mid" {
		t.Errorf("replay sent %v, want the run's seqs 0..2", got)
	}
	if end.Type != protocol.TypeReplayed || end.RunID != "mid" || !end.Complete || end.Through != envs[2].Offset {
		t.Errorf("replayed = %+v", end)
	}
	emit(t, shared, runEvents(user, "mid", 3, 5)) // the run goes on, live
	for want := int64(3); want < 5; want++ {
		f, err := tb.read(60 * time.Second)
		if err != nil || f.Seq == nil || *f.Seq != want {
			t.Fatalf("live event %+v (%v), want seq %d", f, err, want)
		}
	}
}

func TestSameRequestTwiceIsStoredOnceAndSeenOnce(t *testing.T) {
	const user = "e2e-retry"
	tabs := []*tab{newTab(t, shared, user), newTab(t, shared, user)}
	body := runEvents(user, "retry", 0, 2)
	first, second := emit(t, shared, body), emit(t, shared, body)
	if first.Stored != 2 || first.Duplicates != 0 || first.Delivered != 4 {
		t.Errorf("first report %+v", first)
	}
	if second.Stored != 0 || second.Duplicates != 2 || second.Delivered != 4 {
		t.Errorf("retry report %+v", second)
	}
	for i, tb := range tabs {
		var kept []frame
		for range 4 {
			f, err := tb.read(60 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if tb.handle(f) {
				kept = append(kept, f)
			}
		}
		if got := seqs(kept); !slices.Equal(got, seqRange(0, 2)) || kept[0].EventID != "evt-retry-0" {
			t.Errorf("tab %d kept %v after dropping repeats, want seqs 0, 1", i, got)
		}
	}
	fresh := newTab(t, shared, user)
	envs, _, err := fresh.resume()
	if err != nil {
		t.Fatal(err)
	}
	if len(envs) != 2 {
		t.Errorf("the stream holds %d events, want one copy of each of 2", len(envs))
	}
}

func TestResumeAndReplayNeverReturnAnotherUsersEvents(t *testing.T) {
	emit(t, shared, runEvents("e2e-iso-alice", "iso-run", 0, 3))
	mallory := newTab(t, shared, "e2e-iso-mallory")
	for _, req := range []string{`{"action":"replay","run_id":"iso-run"}`, `{"action":"resume","after":0}`} {
		envs, end, err := mallory.until(req)
		if err != nil || len(envs) != 0 || !end.Complete || end.Through != 0 {
			t.Errorf("%s: mallory got %d events and %+v (%v), want nothing", req, len(envs), end, err)
		}
	}
	_, end, err := mallory.until(`{"action":"resume","after":0,"user_id":"e2e-iso-alice"}`)
	if err != nil || end.Type != protocol.TypeError || !strings.Contains(end.Message, "user_id") {
		t.Errorf("a resume naming another user answered %+v (%v), want an error frame", end, err)
	}
	alice := newTab(t, shared, "e2e-iso-alice")
	if envs, _, err := alice.until(`{"action":"replay","run_id":"iso-run"}`); err != nil || len(envs) != 3 {
		t.Errorf("alice's own replay returned %d events (%v)", len(envs), err)
	}
}

// TestTenTabsReconnectingWhileAThousandEventsAreEmitted: every tab keeps dropping its
// connection at random points, reconnecting and resuming; each ends with exactly the emitted
// sequence, in order, every event once.
func TestTenTabsReconnectingWhileAThousandEventsAreEmitted(t *testing.T) {
	const user, tabs, requests, perRequest = "e2e-churn", 10, 100, 10
	const total = requests * perRequest
	emitted := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range requests {
			if err := emitErr(t.Context(), shared, runEvents(user, "churn", i*perRequest, (i+1)*perRequest)); err != nil {
				emitted <- err
				return
			}
		}
		emitted <- nil
	}()
	results := make([]*tab, tabs)
	errs := make([]error, tabs)
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Go(func() { results[i], errs[i] = churn(t.Context(), shared, user, total, done) })
	}
	wg.Wait()
	if err := <-emitted; err != nil {
		t.Fatal(err)
	}
	for i, tb := range results {
		if errs[i] != nil {
			t.Errorf("tab %d: %v", i, errs[i])
			continue
		}
		offsets := make([]int64, 0, len(tb.handled))
		for o := range tb.handled {
			offsets = append(offsets, o)
		}
		slices.Sort(offsets)
		got := make([]frame, len(offsets))
		for j, o := range offsets {
			got[j] = tb.handled[o]
		}
		if s := seqs(got); !slices.Equal(s, seqRange(0, total)) {
			t.Errorf("tab %d holds %d events, not exactly seqs 0..%d in offset order", i, len(s), total-1)
		}
		t.Logf("tab %d: %d connections", i, tb.cycles)
	}
}

// churn is one tab of the test above: connect, resume, read a random number of live frames,
// drop the connection, again, until the emitter is done and the tab's position has reached the
// last offset.
func churn(ctx context.Context, h *devhost.Host, user string, total int, done <-chan struct{}) (*tab, error) {
	tb := &tab{ctx: ctx, h: h, user: user, handled: map[int64]frame{}}
	for cycle := 0; ; cycle++ {
		if cycle > 500 {
			return tb, errors.New("no progress after 500 reconnects")
		}
		tok, err := auth.SignDevToken([]byte(testSecret), auth.DevToken{UserID: user})
		if err != nil {
			return tb, err
		}
		c, err := dialToken(ctx, h, tok)
		if err != nil {
			return tb, err
		}
		tb.c = c
		tb.cycles++
		if _, _, err := tb.resume(); err != nil {
			c.CloseNow()
			return tb, err
		}
		select {
		case <-done:
			if tb.position >= int64(total) { // claims everything: the test checks it holds it

				c.CloseNow()
				return tb, nil
			}
		default:
		}
		for range rand.IntN(120) {
			f, err := tb.read(500 * time.Millisecond)
			if err != nil {
				break // quiet for now, or the connection failed: reconnect either way
			}
			tb.handle(f)
		}
		c.CloseNow()
	}
}

// TestShortRetentionHost runs the template with a retention of a few seconds: an expired gap
// is reported as complete:false, and a stream table that fails means nothing is delivered and
// the agent gets a typed, retryable error.
func TestShortRetentionHost(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	const retentionHours = "0.001" // 3.6 s
	h, err := startHost(ctx, devhost.Options{
		Overrides: map[string]string{"StreamRetentionHours": retentionHours},
		BuildDir:  filepath.Join(repoDir, ".build", "e2e-retention"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	const user = "e2e-expiry"

	t.Run("expired gap", func(t *testing.T) {
		tb := newTab(t, h, user)
		emit(t, h, runEvents(user, "old", 0, 2))
		for range 2 {
			f, err := tb.read(60 * time.Second)
			if err != nil {
				t.Fatal(err)
			}
			tb.handle(f)
		}
		tb.c.CloseNow()
		emit(t, h, runEvents(user, "old", 2, 4)) // missed, then expired
		expiry := time.Now().Add(3600*time.Millisecond + time.Second)
		waitFor(t, "the missed events to pass the retention period", func() bool { return time.Now().After(expiry) })
		emit(t, h, runEvents(user, "new", 0, 1))
		tb.c = dial(t, h, user)
		envs, end, err := tb.until(fmt.Sprintf(`{"action":"resume","after":%d}`, tb.position))
		if err != nil {
			t.Fatal(err)
		}
		if len(envs) != 1 || envs[0].RunID != "new" {
			t.Errorf("resume sent %+v, want only the unexpired event", envs)
		}
		if end.Complete || end.Reason != protocol.ReasonExpired || end.Through != envs[0].Offset {
			t.Errorf("resumed = %+v, want complete:false reason expired through %d", end, envs[0].Offset)
		}
	})

	t.Run("store failure", func(t *testing.T) {
		tb := newTab(t, h, user)
		db := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: testCreds}, func(o *dynamodb.Options) {
			o.BaseEndpoint = aws.String(h.DynamoDBEndpoint())
		})
		if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(streamTableName(t, h))}); err != nil {
			t.Fatal(err)
		}
		out, err := lambdaClient(h).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(runEvents(user, "lost", 0, 2))})
		if err != nil {
			t.Fatal(err)
		}
		var fe protocol.FunctionError
		if out.FunctionError == nil || json.Unmarshal(out.Payload, &fe) != nil || fe.ErrorType != protocol.ErrorTypeUnavailable || !protocol.Retryable(fe.ErrorType) {
			t.Fatalf("emit answered %s (function error %v), want a retryable %s", out.Payload, out.FunctionError, protocol.ErrorTypeUnavailable)
		}
		if _, err := tb.read(500 * time.Millisecond); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("a tab received something although nothing was stored: %v", err)
		}
	})
}

func streamTableName(t *testing.T, h *devhost.Host) string {
	t.Helper()
	for _, tbl := range h.Template().Tables {
		if tbl.LogicalID == "StreamTable" {
			return tbl.Name
		}
	}
	t.Fatal("template has no StreamTable")
	return ""
}
