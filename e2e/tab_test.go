package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/protocol"
)

// frame is any message a tab receives: an event envelope or a control message.
type frame struct {
	Type     string `json:"type"`
	EventID  string `json:"event_id"`
	Offset   int64  `json:"offset"`
	RunID    string `json:"run_id"`
	Seq      *int64 `json:"seq"`
	After    int64  `json:"after"`
	Through  int64  `json:"through"`
	Complete bool   `json:"complete"`
	Reason   string `json:"reason"`
	Message  string `json:"message"`
}

func (f frame) control() bool {
	return f.Type == protocol.TypeResumed || f.Type == protocol.TypeReplayed || f.Type == protocol.TypeError
}

// tab is a browser tab that follows the client rules of docs/events.md: it drops an envelope
// whose offset it has handled, keeps position (everything up to it handled) and resumes after
// position whenever it connects.
type tab struct {
	ctx      context.Context // the test's: every read and write of the tab ends with it
	cycles   int             // connections opened, for the log
	h        *devhost.Host
	user     string
	c        *client
	handled  map[int64]frame
	position int64
}

func newTab(t testing.TB, h *devhost.Host, user string) *tab {
	t.Helper()
	tb := &tab{ctx: t.Context(), h: h, user: user, handled: map[int64]frame{}}
	tb.c = dial(t, h, user)
	return tb
}

// read reads one frame within wait.
func (tb *tab) read(wait time.Duration) (frame, error) {
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	var f frame
	_, data, err := tb.c.Read(ctx)
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, fmt.Errorf("frame %q: %w", data, err)
	}
	return f, nil
}

// handle records an envelope once and reports whether it was new.
func (tb *tab) handle(f frame) bool {
	if _, dup := tb.handled[f.Offset]; dup || f.Offset <= 0 {
		return false
	}
	tb.handled[f.Offset] = f
	tb.advance(tb.position)
	return true
}

func (tb *tab) advance(to int64) {
	tb.position = max(tb.position, to)
	for {
		if _, ok := tb.handled[tb.position+1]; !ok {
			return
		}
		tb.position++
	}
}

// until sends request and reads frames, handling envelopes, until the control frame that ends
// the answer; it returns every envelope read on the way (repeats included) and that frame.
func (tb *tab) until(request string) ([]frame, frame, error) {
	if err := tb.c.Write(tb.ctx, websocket.MessageText, []byte(request)); err != nil {
		return nil, frame{}, err
	}
	var envs []frame
	for {
		f, err := tb.read(60 * time.Second)
		if err != nil {
			return envs, f, err
		}
		if f.control() {
			return envs, f, nil
		}
		envs = append(envs, f)
		tb.handle(f)
	}
}

// resume asks for everything after position until an answer is complete.
func (tb *tab) resume() ([]frame, frame, error) {
	var all []frame
	for {
		envs, end, err := tb.until(fmt.Sprintf(`{"action":"resume","after":%d}`, tb.position))
		all = append(all, envs...)
		if err != nil || end.Type != protocol.TypeResumed {
			return all, end, fmt.Errorf("resume answered %+v: %v", end, err)
		}
		tb.advance(end.Through)
		if end.Complete || end.Reason == protocol.ReasonExpired {
			return all, end, nil
		}
	}
}

// runEvents renders the batch request of events seq from..to-1 of run, with event ids.
func runEvents(user, run string, from, to int) string {
	var evs []string
	for i := from; i < to; i++ {
		evs = append(evs, fmt.Sprintf(`{"type":"agent_thinking","event_id":"evt-%s-%d","run_id":"%s","seq":%d,"payload":{"text":"step %d"}}`, run, i, run, i, i))
	}
	return fmt.Sprintf(`{"user_id":%q,"events":[%s]}`, user, strings.Join(evs, ","))
}

// seqs lists the seq of each frame.
func seqs(fs []frame) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		if f.Seq != nil {
			out[i] = *f.Seq
		} else {
			out[i] = -1
		}
	}
	return out
}

func seqRange(from, to int) []int64 {
	var out []int64
	for i := from; i < to; i++ {
		out = append(out, int64(i))
	}
	return out
}

// emitErr is emit for goroutines other than the test's own.
func emitErr(ctx context.Context, h *devhost.Host, body string) error {
	out, err := lambdaClient(h).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(body)})
	if err != nil {
		return err
	}
	if out.FunctionError != nil {
		return fmt.Errorf("emit failed: %s", out.Payload)
	}
	return nil
}
