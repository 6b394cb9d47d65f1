package eventcodec

import (
	"errors"
	"fmt"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/agentbridge/agentbridge/protocol"
)

// wireEvent is an event as decoded; pointers tell absent from zero.
type wireEvent struct {
	Type      *string        `json:"type"`
	EventID   *string        `json:"event_id"`
	RunID     *string        `json:"run_id"`
	ThreadID  *string        `json:"thread_id"`
	AgentName *string        `json:"agent_name"`
	Seq       *int64         `json:"seq"`
	Payload   jsontext.Value `json:"payload"`
}

// wireRequest holds both request forms: a batch under "events", or one event inline.
type wireRequest struct {
	UserID *string      `json:"user_id"`
	Events *[]wireEvent `json:"events"`
	wireEvent
}

// Request is a decoded, validated emit request.
type Request struct {
	UserID string
	Events []protocol.Event
}

// Decode parses and validates an emit request.
func Decode(data []byte) (*Request, error) {
	if len(data) > protocol.MaxRequestBytes {
		return nil, &Error{Code: protocol.ErrorTypePayloadTooLarge, Message: fmt.Sprintf("request is %d bytes, over the %d-byte limit", len(data), protocol.MaxRequestBytes)}
	}
	var w wireRequest
	if err := json.Unmarshal(data, &w, json.RejectUnknownMembers(true)); err != nil {
		return nil, decodeError(err)
	}
	if w.UserID == nil {
		return nil, invalid("user_id", "required")
	}
	if err := protocol.ValidateID(*w.UserID); err != nil {
		return nil, invalid("user_id", "%v", err)
	}
	wire, err := w.events()
	if err != nil {
		return nil, err
	}
	req := &Request{UserID: *w.UserID, Events: make([]protocol.Event, len(wire))}
	firstUse := make(map[string]int) // event_id -> index of the event that carries it
	for i, we := range wire {
		prefix := "events[" + fmt.Sprint(i) + "]."
		if w.Events == nil {
			prefix = ""
		}
		if req.Events[i], err = we.validate(prefix); err != nil {
			return nil, err
		}
		if id := req.Events[i].EventID; id != "" {
			if j, seen := firstUse[id]; seen {
				return nil, invalid(prefix+"event_id", "repeats the event_id of events[%d]", j)
			}
			firstUse[id] = i
		}
	}
	return req, nil
}

// events returns the request's events in either form.
func (w *wireRequest) events() ([]wireEvent, error) {
	single := w.Type != nil || w.EventID != nil || w.RunID != nil || w.ThreadID != nil || w.AgentName != nil || w.Seq != nil || w.Payload != nil
	switch {
	case w.Events != nil && single:
		return nil, invalid("events", "give either events or one inline event, not both")
	case w.Events != nil && len(*w.Events) == 0:
		return nil, invalid("events", "must hold at least one event")
	case w.Events != nil && len(*w.Events) > protocol.MaxEventsPerRequest:
		return nil, invalid("events", "holds %d events, over the limit of %d", len(*w.Events), protocol.MaxEventsPerRequest)
	case w.Events != nil:
		return *w.Events, nil
	case !single:
		return nil, invalid("events", "required (or one inline event with type and run_id)")
	}
	return []wireEvent{w.wireEvent}, nil
}

func decodeError(err error) error {
	var sem *json.SemanticError
	if errors.As(err, &sem) {
		field := fieldPath(string(sem.JSONPointer))
		if sem.Err == nil && sem.JSONKind != 0 {
			return invalid(field, "unexpected %s", kindName(sem.JSONKind))
		}
		return invalid(field, "%s", semanticMessage(sem))
	}
	var syn *jsontext.SyntacticError
	if errors.As(err, &syn) {
		return invalid(fieldPath(string(syn.JSONPointer)), "%v", syn.Err)
	}
	return invalid("", "request is not valid JSON: %v", err)
}

func semanticMessage(sem *json.SemanticError) string {
	switch {
	case errors.Is(sem.Err, json.ErrUnknownName):
		return "unknown field (names are case-sensitive)"
	case sem.JSONKind != 0:
		return "wrong type: got " + kindName(sem.JSONKind)
	}
	return sem.Error()
}

func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return "value"
}
