package stream

import (
	"fmt"
	"slices"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/agentbridge/agentbridge/protocol"
)

// request is a decoded resume or replay.
type request struct {
	Action string
	After  int64
	RunID  string
}

// requestError is a malformed control message; its text is sent back to the connection.
type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &requestError{msg: fmt.Sprintf(format, args...)}
}

// members each action accepts, and which of them it requires.
var (
	allowed  = map[string][]string{protocol.ActionResume: {"action", "after"}, protocol.ActionReplay: {"action", "run_id", "after"}}
	required = map[string][]string{protocol.ActionResume: {"after"}, protocol.ActionReplay: {"run_id"}}
)

// parseRequest decodes body strictly for the route it arrived on: a JSON object with exactly
// the members of its action (no unknown or repeated ones), after an integer >= 0, run_id a
// valid id.
func parseRequest(route string, body []byte) (request, error) {
	req := request{Action: route}
	var members map[string]jsontext.Value // duplicate names are refused by the decoder
	if err := json.Unmarshal(body, &members); err != nil {
		return req, badRequest("not a JSON object with unique member names")
	}
	for name := range members {
		if !slices.Contains(allowed[route], name) {
			return req, badRequest("unknown field %q; %s takes %s", name, route, strings.Join(allowed[route], ", "))
		}
	}
	for _, name := range required[route] {
		if _, ok := members[name]; !ok {
			return req, badRequest("%s: required", name)
		}
	}
	var action string
	if err := json.Unmarshal(members["action"], &action); err != nil || action != route {
		return req, badRequest("action: must be %q", route)
	}
	if v, ok := members["after"]; ok {
		if err := json.Unmarshal(v, &req.After); err != nil || req.After < 0 || v.Kind() != '0' || strings.ContainsAny(string(v), ".eE") {
			return req, badRequest("after: must be an integer >= 0")
		}
	}
	if v, ok := members["run_id"]; ok {
		if err := json.Unmarshal(v, &req.RunID); err != nil {
			return req, badRequest("run_id: must be a string")
		}
		if err := protocol.ValidateID(req.RunID); err != nil {
			return req, badRequest("run_id: %v", err)
		}
	}
	return req, nil
}
