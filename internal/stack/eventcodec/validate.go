package eventcodec

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/agentbridge/agentbridge/protocol"
)

// requiredPayload lists, per event type, the payload members that must be non-empty strings.
var requiredPayload = map[protocol.EventType][]string{
	protocol.AgentThinking: {"text"},
	protocol.ToolExecuting: {"tool"},
	protocol.ToolCompleted: {"tool"},
	protocol.AgentError:    {"message"},
}

// optionalStrings lists payload members that, when present, must be strings.
var optionalStrings = map[protocol.EventType][]string{
	protocol.ToolExecuting: {"call_id"},
	protocol.ToolCompleted: {"call_id", "error"},
	protocol.AgentError:    {"code"},
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
	compact := raw.Clone()
	if err := compact.Compact(); err != nil {
		return nil, invalid(field, "%v", err)
	}
	return compact, nil
}
