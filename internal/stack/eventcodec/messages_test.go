package eventcodec_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/protocol"
)

// TestDecodeMessageEventsAndEventIDs: message events and agent-supplied event ids are held to the
// same strictness as the rest of the request.
func TestDecodeMessageEventsAndEventIDs(t *testing.T) {
	tests := []struct{ name, body, field string }{
		{"started", `{"user_id":"a","type":"message_started","run_id":"r","payload":{"message_id":"m1","role":"assistant"}}`, ""},
		{"delta", `{"user_id":"a","type":"message_delta","run_id":"r","payload":{"message_id":"m1","delta":"Hel"}}`, ""},
		{"completed", `{"user_id":"a","type":"message_completed","run_id":"r","payload":{"message_id":"m1"}}`, ""},
		{"completed with text", `{"user_id":"a","type":"message_completed","run_id":"r","payload":{"message_id":"m1","text":"Hello"}}`, ""},
		{"event id", `{"user_id":"a","event_id":"evt_1","type":"agent_started","run_id":"r"}`, ""},
		{"started without role", `{"user_id":"a","type":"message_started","run_id":"r","payload":{"message_id":"m1"}}`, "payload.role"},
		{"unknown role", `{"user_id":"a","type":"message_started","run_id":"r","payload":{"message_id":"m1","role":"robot"}}`, "payload.role"},
		{"empty delta", `{"user_id":"a","type":"message_delta","run_id":"r","payload":{"message_id":"m1","delta":""}}`, "payload.delta"},
		{"delta not a string", `{"user_id":"a","type":"message_delta","run_id":"r","payload":{"message_id":"m1","delta":5}}`, "payload.delta"},
		{"no message id", `{"user_id":"a","type":"message_delta","run_id":"r","payload":{"delta":"x"}}`, "payload.message_id"},
		{"message id with a space", `{"user_id":"a","type":"message_completed","run_id":"r","payload":{"message_id":"m 1"}}`, "payload.message_id"},
		{"text not a string", `{"user_id":"a","type":"message_completed","run_id":"r","payload":{"message_id":"m1","text":[]}}`, "payload.text"},
		{"empty event id", `{"user_id":"a","event_id":"","type":"agent_started","run_id":"r"}`, "event_id"},
		{"event id with zero-width space", `{"user_id":"a","event_id":"evt\u200b1","type":"agent_started","run_id":"r"}`, "event_id"},
		{"event id repeated in a batch", `{"user_id":"a","events":[{"event_id":"e1","type":"agent_started","run_id":"r"},{"event_id":"e1","type":"agent_completed","run_id":"r"}]}`, "events[1].event_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := eventcodec.Decode([]byte(tt.body))
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			refused(t, err, protocol.ErrorTypeValidation, tt.field)
		})
	}
}

// TestRenderKeepsTheAgentsEventID: an agent's event_id is the envelope's, so a retried request
// renders the same ids; events without one get fresh ids.
func TestRenderKeepsTheAgentsEventID(t *testing.T) {
	req, err := eventcodec.Decode([]byte(`{"user_id":"a","events":[{"event_id":"evt_mine","type":"agent_started","run_id":"r"},{"type":"agent_completed","run_id":"r"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := eventcodec.Render(req, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var first, second protocol.Envelope
	if err := json.Unmarshal(msgs[0].Data, &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(msgs[1].Data, &second); err != nil {
		t.Fatal(err)
	}
	if first.EventID != "evt_mine" || msgs[0].EventID != "evt_mine" {
		t.Fatalf("first event id = %q / %q, want evt_mine", first.EventID, msgs[0].EventID)
	}
	if second.EventID == "" || second.EventID == "evt_mine" {
		t.Fatalf("second event id = %q, want a fresh one", second.EventID)
	}
}
