package eventcodec_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/protocol"
)

// FuzzDecode: no input panics; every refusal is an *eventcodec.Error with a protocol code; anything
// accepted re-validates (user id, event types, ids), and its rendered envelopes are valid JSON
// within the message limit. The seed corpus in testdata/fuzz/FuzzDecode holds the smuggling
// cases.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"user_id":"alice","type":"agent_started","run_id":"r1"}`))
	f.Add([]byte(`{"user_id":"alice","events":[{"type":"tool_completed","run_id":"r1","seq":3,"payload":{"tool":"t","call_id":"c","error":"x"}}]}`))
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := eventcodec.Decode(data)
		if err != nil {
			var e *eventcodec.Error
			if !errors.As(err, &e) || (e.Code != protocol.ErrorTypeValidation && e.Code != protocol.ErrorTypePayloadTooLarge) {
				t.Fatalf("refusal %v (%T) is not a coded *eventcodec.Error", err, err)
			}
			return
		}
		if err := protocol.ValidateID(req.UserID); err != nil {
			t.Fatalf("accepted user id %q: %v", req.UserID, err)
		}
		if len(req.Events) == 0 || len(req.Events) > protocol.MaxEventsPerRequest {
			t.Fatalf("accepted %d events", len(req.Events))
		}
		for _, e := range req.Events {
			if !e.Type.Known() || protocol.ValidateID(e.RunID) != nil || (e.Seq != nil && *e.Seq < 0) {
				t.Fatalf("accepted event %+v", e)
			}
			if e.ThreadID != "" && protocol.ValidateID(e.ThreadID) != nil {
				t.Fatalf("accepted thread id %q", e.ThreadID)
			}
		}
		msgs, err := eventcodec.Render(req, now)
		if err != nil {
			var e *eventcodec.Error
			if !errors.As(err, &e) || e.Code != protocol.ErrorTypePayloadTooLarge {
				t.Fatalf("render: %v", err)
			}
			return
		}
		for _, m := range msgs {
			var env protocol.Envelope
			if len(m.Data) > protocol.MaxEnvelopeBytes || !utf8.Valid(m.Data) || json.Unmarshal(m.Data, &env) != nil {
				t.Fatalf("rendered envelope invalid or too large (%d bytes): %q", len(m.Data), m.Data)
			}
			var payload map[string]json.RawMessage
			if json.Unmarshal(env.Payload, &payload) != nil {
				t.Fatalf("payload is not an object: %s", env.Payload)
			}
		}
	})
}
