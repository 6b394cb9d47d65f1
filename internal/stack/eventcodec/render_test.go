package eventcodec_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/protocol"
)

func thinking(text string) []byte {
	return []byte(`{"user_id":"alice","type":"agent_thinking","run_id":"r1","payload":{"text":"` + text + `"}}`)
}

// TestEnvelopeSizeBoundary: an envelope that is exactly MaxEnvelopeBytes once the widest offset is
// added is rendered, one byte more is refused as PayloadTooLarge naming the event, before
// anything could be sent.
func TestEnvelopeSizeBoundary(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	size := func(text string) int {
		t.Helper()
		req, err := eventcodec.Decode(thinking(text))
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := eventcodec.Render(req, now)
		if err != nil {
			t.Fatal(err)
		}
		return len(msgs[0].Data)
	}
	base := size("x") // event ids have a fixed length, so the size grows with the text alone
	atLimit := strings.Repeat("x", 1+protocol.MaxEnvelopeBytes-eventcodec.OffsetReserve-base)
	if got := size(atLimit) + eventcodec.OffsetReserve; got != protocol.MaxEnvelopeBytes {
		t.Fatalf("envelope with offset is %d bytes, want exactly %d", got, protocol.MaxEnvelopeBytes)
	}
	req, err := eventcodec.Decode([]byte(`{"user_id":"alice","events":[{"type":"agent_started","run_id":"r1"},` +
		`{"type":"agent_thinking","run_id":"r1","payload":{"text":"` + atLimit + `x"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = eventcodec.Render(req, now)
	refused(t, err, protocol.ErrorTypePayloadTooLarge, "events[1]")
}

func TestRenderStampsEachEvent(t *testing.T) {
	req, err := eventcodec.Decode([]byte(`{"user_id":"alice","events":[
		{"type":"agent_started","run_id":"r1","seq":0,"payload":{"input":{"q": "hi"}}},
		{"type":"tool_executing","run_id":"r1","seq":1,"payload":{"tool":"search"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := eventcodec.Render(req, time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, m := range msgs {
		var env protocol.Envelope
		if err := json.Unmarshal(m.Data, &env); err != nil {
			t.Fatal(err)
		}
		if env.EventID != m.EventID || seen[env.EventID] || len(env.EventID) != len("evt_")+26 {
			t.Errorf("event %d: id %q (message says %q)", i, env.EventID, m.EventID)
		}
		seen[env.EventID] = true
		if env.Timestamp != "2026-01-02T03:04:05.006Z" || env.Seq == nil || *env.Seq != int64(i) {
			t.Errorf("event %d: %+v", i, env)
		}
	}
	if string(msgs[0].Data[strings.Index(string(msgs[0].Data), `"payload":`):]) != `"payload":{"input":{"q":"hi"}}}` {
		t.Errorf("payload not compacted: %s", msgs[0].Data)
	}
}
