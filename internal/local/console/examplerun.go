package console

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/agentbridge/agentbridge/protocol"
)

// step is one event of the example run and how long to wait after sending it.
type step struct {
	typ     protocol.EventType
	payload any
	pause   int // in units of Config.Pause
}

// exampleSteps is a realistic run: a question, streamed reasoning, a web search, and an answer
// streamed as a message.
func exampleSteps() []step {
	steps := []step{
		{protocol.AgentStarted, map[string]any{"input": map[string]string{"question": "Which is larger by area, Australia or the contiguous United States?"}}, 1},
		{protocol.AgentThinking, map[string]string{"text": "I should compare the two areas. "}, 1},
		{protocol.AgentThinking, map[string]string{"text": "Let me search for current figures."}, 1},
		{protocol.ToolExecuting, map[string]any{"tool": "web_search", "call_id": "call_1", "arguments": map[string]any{"query": "area of Australia vs contiguous United States km2", "max_results": 3}}, 3},
		{protocol.ToolCompleted, map[string]any{"tool": "web_search", "call_id": "call_1", "result": map[string]any{"results": []map[string]string{
			{"title": "Australia - area", "snippet": "Total area: 7,688,287 km²"},
			{"title": "Contiguous United States", "snippet": "Area: 8,080,470 km²"},
		}}}, 1},
		{protocol.MessageStarted, map[string]string{"message_id": "msg_1", "role": "assistant"}, 1},
	}
	answer := "The contiguous United States is slightly larger: about 8.08 million km² against Australia's 7.69 million km²."
	words := strings.Fields(answer)
	for i := 0; i < len(words); i += 3 {
		delta := strings.Join(words[i:min(i+3, len(words))], " ")
		if i+3 < len(words) {
			delta += " "
		}
		steps = append(steps, step{protocol.MessageDelta, map[string]string{"message_id": "msg_1", "delta": delta}, 1})
	}
	return append(steps,
		step{protocol.MessageCompleted, map[string]string{"message_id": "msg_1", "text": answer}, 1},
		step{protocol.AgentCompleted, map[string]any{"result": map[string]string{"answer": answer}}, 0},
	)
}

func (c *Console) play(w http.ResponseWriter, r *http.Request) {
	user, ok := userParam(w, r)
	if !ok {
		return
	}
	if c.cfg.Emit == nil {
		writeError(w, http.StatusNotImplemented, "this host does not run the emit function")
		return
	}
	runID := fmt.Sprintf("run-%d", time.Now().UnixMilli())
	go func() {
		if err := c.playRun(user, runID); err != nil {
			c.cfg.Logger.Warn("example run", "run_id", runID, "err", err)
		}
	}()
	writeJSON(w, http.StatusAccepted, map[string]string{"run_id": runID})
}

// playRun sends the example run for user one event per request, each after the previous
// answered, as an agent that needs its order kept does.
func (c *Console) playRun(user, runID string) error {
	ctx, cancel := context.WithTimeout(c.ctx, 2*time.Minute)
	defer cancel()
	for seq, s := range exampleSteps() {
		payload, err := json.Marshal(s.payload)
		if err != nil {
			return err
		}
		n := int64(seq)
		req, err := json.Marshal(protocol.EmitRequest{UserID: user, Events: []protocol.Event{{
			Type: s.typ, EventID: newEventID(), RunID: runID, ThreadID: "thread-console", AgentName: "researcher", Seq: &n, Payload: payload,
		}}})
		if err != nil {
			return err
		}
		if err := c.cfg.Emit(ctx, req); err != nil {
			return fmt.Errorf("emit %s (seq %d): %w", s.typ, seq, err)
		}
		if err := sleep(ctx, time.Duration(s.pause)*c.cfg.Pause); err != nil {
			return err
		}
	}
	return nil
}

// newEventID is an idempotency key as the Go client makes them: evt_ and 26 base32 characters.
func newEventID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "evt_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
