package client

import (
	"bytes"
	"encoding/json"

	"github.com/agentbridge/agentbridge/protocol"
)

// The client checks only what is obviously wrong without a round trip: ids, the type and the
// payload's shape. The emit function stays the authority on everything else.

func checkUserID(id string) error { return checkID("user_id", id, true) }

// checkID applies protocol.ValidateID to a field; an optional field may be empty.
func checkID(field, id string, required bool) error {
	if id == "" && !required {
		return nil
	}
	if err := protocol.ValidateID(id); err != nil {
		return validationf("%s: %v", field, err)
	}
	return nil
}

// checkAgentName applies protocol.ValidateName.
func checkAgentName(name string) error {
	if err := protocol.ValidateName(name); err != nil {
		return validationf("agent_name: %v", err)
	}
	return nil
}

// checkEvent validates the fields every event shares and the payload's shape.
func checkEvent(ev protocol.Event) error {
	if !ev.Type.Known() {
		return validationf("type: unknown event type %q", ev.Type)
	}
	if err := checkID("run_id", ev.RunID, true); err != nil {
		return err
	}
	if err := checkID("event_id", ev.EventID, false); err != nil {
		return err
	}
	if err := checkID("thread_id", ev.ThreadID, false); err != nil {
		return err
	}
	if err := checkAgentName(ev.AgentName); err != nil {
		return err
	}
	if ev.Seq != nil && *ev.Seq < 0 {
		return validationf("seq: must not be negative")
	}
	if len(ev.Payload) > protocol.MaxEnvelopeBytes {
		return &Error{Type: protocol.ErrorTypePayloadTooLarge,
			Message: "payload: larger than the 128 KB message limit"}
	}
	if p := bytes.TrimSpace(ev.Payload); len(p) > 0 && (p[0] != '{' || !json.Valid(p)) {
		return validationf("payload: must be a JSON object")
	}
	return nil
}

// encodeEvent validates ev and returns its JSON.
func encodeEvent(ev protocol.Event) (json.RawMessage, error) {
	if err := checkEvent(ev); err != nil {
		return nil, err
	}
	return json.Marshal(ev)
}

// Validate reports what the client can tell is wrong with sending ev for userID without
// asking the emit function (bad ids, an unknown type, a payload that is not a JSON object),
// as the *Error a send would return. Tools use it to check input before sending any of it.
func Validate(userID string, ev protocol.Event) error {
	return firstError(checkUserID(userID), checkEvent(ev))
}
