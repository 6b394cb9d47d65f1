package eventcodec

import (
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/agentbridge/agentbridge/protocol"
)

// requiredPayload lists, per event type, the payload members that must be non-empty strings.
var requiredPayload = map[protocol.EventType][]string{
	protocol.AgentThinking:    {"text"},
	protocol.ToolExecuting:    {"tool"},
	protocol.ToolCompleted:    {"tool"},
	protocol.AgentError:       {"message"},
	protocol.MessageStarted:   {"message_id", "role"},
	protocol.MessageDelta:     {"message_id", "delta"},
	protocol.MessageCompleted: {"message_id"},
}

// optionalStrings lists payload members that, when present, must be strings.
var optionalStrings = map[protocol.EventType][]string{
	protocol.ToolExecuting:    {"call_id"},
	protocol.ToolCompleted:    {"call_id", "error"},
	protocol.AgentError:       {"code"},
	protocol.MessageCompleted: {"text"},
}

func (w wireEvent) validate(prefix string) (protocol.Event, error) {
	var e protocol.Event
	if w.Type == nil {
		return e, invalid(prefix+"type", "required")
	}
	e.Type = protocol.EventType(*w.Type)
	if !e.Type.Known() {
		return e, invalid(prefix+"type", "unknown event type %q", *w.Type)
	}
	if w.EventID != nil {
		if err := protocol.ValidateID(*w.EventID); err != nil {
			return e, invalid(prefix+"event_id", "%v", err)
		}
		e.EventID = *w.EventID
	}
	if w.RunID == nil {
		return e, invalid(prefix+"run_id", "required")
	}
	if err := protocol.ValidateID(*w.RunID); err != nil {
		return e, invalid(prefix+"run_id", "%v", err)
	}
	e.RunID = *w.RunID
	if w.ThreadID != nil {
		if err := protocol.ValidateID(*w.ThreadID); err != nil {
			return e, invalid(prefix+"thread_id", "%v", err)
		}
		e.ThreadID = *w.ThreadID
	}
	if w.AgentName != nil {
		if err := protocol.ValidateName(*w.AgentName); err != nil {
			return e, invalid(prefix+"agent_name", "%v", err)
		}
		e.AgentName = *w.AgentName
	}
	if w.Seq != nil && *w.Seq < 0 {
		return e, invalid(prefix+"seq", "must not be negative")
	}
	e.Seq = w.Seq
	payload, err := validatePayload(e.Type, w.Payload, prefix+"payload")
	if err != nil {
		return e, err
	}
	e.Payload = payload
	return e, nil
}

// validatePayload checks that the payload is an object holding the type's required members,
// and returns it compacted ("{}" when absent or null).
func validatePayload(t protocol.EventType, raw jsontext.Value, field string) ([]byte, error) {
	if len(raw) == 0 || raw.Kind() == 'n' {
		raw = jsontext.Value("{}")
	}
	if raw.Kind() != '{' {
		return nil, invalid(field, "must be a JSON object, got %s", kindName(raw.Kind()))
	}
	var members map[string]jsontext.Value
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, invalid(field, "%v", err)
	}
	for _, name := range requiredPayload[t] {
		v, ok := members[name]
		if !ok {
			return nil, invalid(field+"."+name, "required for %s", t)
		}
		var s string
		if v.Kind() != '"' || json.Unmarshal(v, &s) != nil || s == "" {
			return nil, invalid(field+"."+name, "must be a non-empty string")
		}
	}
	for _, name := range optionalStrings[t] {
		if v, ok := members[name]; ok && v.Kind() != '"' {
			return nil, invalid(field+"."+name, "must be a string")
		}
	}
	if err := validateMessage(t, members, field); err != nil {
		return nil, err
	}
	compact := raw.Clone()
	if err := compact.Compact(); err != nil {
		return nil, invalid(field, "%v", err)
	}
	return compact, nil
}

// validateMessage holds message events to the id rule for message_id, so a message can be keyed
// byte for byte, and message_started to a known role.
func validateMessage(t protocol.EventType, members map[string]jsontext.Value, field string) error {
	if t != protocol.MessageStarted && t != protocol.MessageDelta && t != protocol.MessageCompleted {
		return nil
	}
	var id string
	_ = json.Unmarshal(members["message_id"], &id) // a non-empty string: checked above
	if err := protocol.ValidateID(id); err != nil {
		return invalid(field+".message_id", "%v", err)
	}
	if t != protocol.MessageStarted {
		return nil
	}
	var role string
	_ = json.Unmarshal(members["role"], &role)
	if !slices.Contains(protocol.MessageRoles, role) {
		return invalid(field+".role", "must be one of %s", strings.Join(protocol.MessageRoles, ", "))
	}
	return nil
}
