package eventcodec_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/agentbridge/agentbridge/internal/stack/eventcodec"
	"github.com/agentbridge/agentbridge/protocol"
)

// refused asserts that err is an *eventcodec.Error with code and field.
func refused(t *testing.T, err error, code, field string) {
	t.Helper()
	var e *eventcodec.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *eventcodec.Error", err, err)
	}
	if e.Code != code || e.Field != field {
		t.Fatalf("refused with code %q field %q (%v), want code %q field %q", e.Code, e.Field, e, code, field)
	}
}

const started = `"type":"agent_started","run_id":"r1"`

// TestDecodeRefusesSmuggling: every way a request could name two users, or a user that differs
// from another only invisibly, is refused as a whole with a validation error naming the field.
func TestDecodeRefusesSmuggling(t *testing.T) {
	tests := []struct{ name, body, field string }{
		{"duplicate user_id", `{"user_id":"bob","user_id":"alice",` + started + `}`, "user_id"},
		{"duplicate user_id, batch", `{"user_id":"alice","events":[{` + started + `}],"user_id":"bob"}`, "user_id"},
		{"User_ID", `{"user_id":"alice","User_ID":"bob",` + started + `}`, "User_ID"},
		{"USER_ID", `{"user_id":"alice","USER_ID":"bob",` + started + `}`, "USER_ID"},
		{"user_Id", `{"user_id":"alice","user_Id":"bob",` + started + `}`, "user_Id"},
		{"only a case variant", `{"User_ID":"bob",` + started + `}`, "User_ID"},
		{"escaped name is still user_id", `{"user_id":"alice","user\u005fid":"bob",` + started + `}`, "user_id"},
		{"user id in events[i]", `{"user_id":"alice","events":[{"user_id":"bob",` + started + `}]}`, "events[0].user_id"},
		{"duplicate type in events[i]", `{"user_id":"alice","events":[{"type":"agent_error","type":"agent_started","run_id":"r1"}]}`, "events[0].type"},
		{"duplicate run_id in events[i]", `{"user_id":"alice","events":[{"type":"agent_started","run_id":"r1","run_id":"r2"}]}`, "events[0].run_id"},
		{"case variant in events[i]", `{"user_id":"alice","events":[{"type":"agent_started","Run_ID":"r2","run_id":"r1"}]}`, "events[0].Run_ID"},
		{"duplicate key in payload", `{"user_id":"alice","type":"agent_thinking","run_id":"r1","payload":{"text":"a","text":"b"}}`, "payload.text"},
		{"duplicate key deep in payload", `{"user_id":"alice","type":"agent_started","run_id":"r1","payload":{"input":{"q":1,"q":2}}}`, "payload.input.q"},
		{"leading space", `{"user_id":" alice",` + started + `}`, "user_id"},
		{"trailing space", `{"user_id":"alice ",` + started + `}`, "user_id"},
		{"tab", `{"user_id":"al\tice",` + started + `}`, "user_id"},
		{"newline", `{"user_id":"alice\n",` + started + `}`, "user_id"},
		{"NUL", `{"user_id":"alice\u0000",` + started + `}`, "user_id"},
		{"DEL", `{"user_id":"alice\u007f",` + started + `}`, "user_id"},
		{"no-break space", `{"user_id":"alice\u00a0",` + started + `}`, "user_id"},
		{"zero-width space", `{"user_id":"ali\u200bce",` + started + `}`, "user_id"},
		{"zero-width joiner", `{"user_id":"alice\u200d",` + started + `}`, "user_id"},
		{"byte order mark", `{"user_id":"\ufeffalice",` + started + `}`, "user_id"},
		{"bidi override", `{"user_id":"\u202ealice",` + started + `}`, "user_id"},
		{"line separator", `{"user_id":"alice\u2028",` + started + `}`, "user_id"},
		{"invalid UTF-8", "{\"user_id\":\"alice\xff\"," + started + `}`, "user_id"},
		{"lone surrogate escape", `{"user_id":"alice\ud800",` + started + `}`, "user_id"},
		{"empty user", `{"user_id":"",` + started + `}`, "user_id"},
		{"129 characters", `{"user_id":"` + strings.Repeat("a", 129) + `",` + started + `}`, "user_id"},
		{"129 multi-byte characters", `{"user_id":"` + strings.Repeat("é", 129) + `",` + started + `}`, "user_id"},
		{"padded run id", `{"user_id":"alice","type":"agent_started","run_id":"r1 "}`, "run_id"},
		{"zero-width in thread id", `{"user_id":"alice",` + started + `,"thread_id":"t\u200b"}`, "thread_id"},
		{"control char in agent name", `{"user_id":"alice",` + started + `,"agent_name":"Bot\u0007"}`, "agent_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := eventcodec.Decode([]byte(tt.body))
			if err == nil {
				t.Fatalf("accepted for user %q", req.UserID)
			}
			refused(t, err, protocol.ErrorTypeValidation, tt.field)
		})
	}
}

// TestDecodeRefusesWrongTypes: every field with every wrong JSON type, and the request's shape.
func TestDecodeRefusesWrongTypes(t *testing.T) {
	wrong := map[string]string{"number": `1`, "boolean": `true`, "object": `{}`, "array": `[]`}
	fields := map[string]string{"user_id": "user_id", "type": "type", "run_id": "run_id", "thread_id": "thread_id", "agent_name": "agent_name"}
	type tc struct{ name, body, field string }
	var tests []tc
	for f, path := range fields {
		for kind, v := range wrong {
			body := map[string]string{"user_id": `"alice"`, "type": `"agent_started"`, "run_id": `"r1"`}
			body[f] = v
			tests = append(tests, tc{f + " as " + kind, object(body), path})
			batch := `{"user_id":"alice","events":[` + object(map[string]string{"type": `"agent_started"`, "run_id": `"r1"`, f: v}) + `]}`
			if f != "user_id" {
				tests = append(tests, tc{"events[0]." + f + " as " + kind, batch, "events[0]." + path})
			}
		}
	}
	tests = append(tests,
		tc{"seq as string", `{"user_id":"alice",` + started + `,"seq":"1"}`, "seq"},
		tc{"seq as fraction", `{"user_id":"alice",` + started + `,"seq":1.5}`, "seq"},
		tc{"seq negative", `{"user_id":"alice",` + started + `,"seq":-1}`, "seq"},
		tc{"seq beyond int64", `{"user_id":"alice",` + started + `,"seq":9223372036854775808}`, "seq"},
		tc{"seq as object", `{"user_id":"alice",` + started + `,"seq":{}}`, "seq"},
		tc{"payload as string", `{"user_id":"alice",` + started + `,"payload":"x"}`, "payload"},
		tc{"payload as array", `{"user_id":"alice",` + started + `,"payload":[]}`, "payload"},
		tc{"payload as number", `{"user_id":"alice",` + started + `,"payload":1}`, "payload"},
		tc{"payload as boolean", `{"user_id":"alice",` + started + `,"payload":false}`, "payload"},
		tc{"events[1].payload as string", `{"user_id":"alice","events":[{` + started + `},{` + started + `,"payload":"x"}]}`, "events[1].payload"},
		tc{"required payload member as number", `{"user_id":"alice","type":"agent_thinking","run_id":"r1","payload":{"text":1}}`, "payload.text"},
		tc{"required payload member empty", `{"user_id":"alice","type":"agent_error","run_id":"r1","payload":{"message":""}}`, "payload.message"},
		tc{"optional payload member as number", `{"user_id":"alice","type":"tool_completed","run_id":"r1","payload":{"tool":"t","error":5}}`, "payload.error"},
		tc{"events as object", `{"user_id":"alice","events":{}}`, "events"},
		tc{"events as string", `{"user_id":"alice","events":"x"}`, "events"},
		tc{"event as string", `{"user_id":"alice","events":["x"]}`, "events[0]"},
		tc{"event as null", `{"user_id":"alice","events":[null]}`, "events[0].type"},
		tc{"user_id null", `{"user_id":null,` + started + `}`, "user_id"},
		tc{"user_id missing", `{` + started + `}`, "user_id"},
		tc{"type missing", `{"user_id":"alice","run_id":"r1"}`, "type"},
		tc{"run_id missing", `{"user_id":"alice","type":"agent_started"}`, "run_id"},
		tc{"unknown type", `{"user_id":"alice","type":"agent_dancing","run_id":"r1"}`, "type"},
		tc{"type differs by case", `{"user_id":"alice","type":"Agent_Started","run_id":"r1"}`, "type"},
		tc{"unknown member", `{"user_id":"alice",` + started + `,"priority":1}`, "priority"},
		tc{"both forms", `{"user_id":"alice","events":[{` + started + `}],` + started + `}`, "events"},
		tc{"both forms, payload only inline", `{"user_id":"alice","events":[{` + started + `}],"payload":{}}`, "events"},
		tc{"no events", `{"user_id":"alice"}`, "events"},
		tc{"empty events", `{"user_id":"alice","events":[]}`, "events"},
		tc{"events null", `{"user_id":"alice","events":null}`, "events"},
		tc{"501 events", `{"user_id":"alice","events":[` + strings.TrimSuffix(strings.Repeat(`{`+started+`},`, 501), ",") + `]}`, "events"},
		tc{"second event invalid", `{"user_id":"alice","events":[{` + started + `},{"type":"agent_thinking","run_id":"r1"}]}`, "events[1].payload.text"},
		tc{"trailing garbage", `{"user_id":"alice",` + started + `} x`, ""},
		tc{"two documents", `{"user_id":"alice",` + started + `}{"user_id":"bob",` + started + `}`, ""},
		tc{"trailing comma", `{"user_id":"alice",` + started + `,}`, ""},
		tc{"not json", `hello`, ""},
		tc{"empty body", ``, ""},
		tc{"top-level array", `[{"user_id":"alice",` + started + `}]`, ""},
		tc{"top-level string", `"alice"`, ""},
		tc{"top-level null", `null`, "user_id"},
		tc{"unterminated", `{"user_id":"alice"`, ""},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := eventcodec.Decode([]byte(tt.body))
			if err == nil {
				t.Fatalf("accepted %q: %+v", tt.body, req)
			}
			refused(t, err, protocol.ErrorTypeValidation, tt.field)
		})
	}
}

// object renders members in a fixed order so failures are reproducible.
func object(members map[string]string) string {
	var parts []string
	for _, k := range []string{"user_id", "type", "run_id", "thread_id", "agent_name"} {
		if v, ok := members[k]; ok {
			parts = append(parts, fmt.Sprintf("%q:%s", k, v))
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestDecodeAcceptsEdgesOfValidity(t *testing.T) {
	tests := []struct {
		name, body, user string
		events           int
	}{
		{"128 characters", `{"user_id":"` + strings.Repeat("a", 128) + `",` + started + `}`, strings.Repeat("a", 128), 1},
		{"128 multi-byte characters", `{"user_id":"` + strings.Repeat("é", 128) + `",` + started + `}`, strings.Repeat("é", 128), 1},
		{"non-Latin id", `{"user_id":"ユーザー",` + started + `}`, "ユーザー", 1},
		{"500 events", `{"user_id":"alice","events":[` + strings.TrimSuffix(strings.Repeat(`{`+started+`},`, 500), ",") + `]}`, "alice", 500},
		{"payload null", `{"user_id":"alice",` + started + `,"payload":null}`, "alice", 1},
		{"surrounding whitespace", " \n\t{\"user_id\":\"alice\"," + started + "}\n ", "alice", 1},
		{"agent name with spaces", `{"user_id":"alice",` + started + `,"agent_name":"Research Bot"}`, "alice", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := eventcodec.Decode([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if req.UserID != tt.user || len(req.Events) != tt.events {
				t.Errorf("got user %q with %d events", req.UserID, len(req.Events))
			}
		})
	}
}

// TestRequestSizeBoundary: a request of exactly MaxRequestBytes is decoded, one byte more is
// refused as PayloadTooLarge before parsing.
func TestRequestSizeBoundary(t *testing.T) {
	body := `{"user_id":"alice",` + started + `}`
	atLimit := body + strings.Repeat(" ", protocol.MaxRequestBytes-len(body))
	if _, err := eventcodec.Decode([]byte(atLimit)); err != nil {
		t.Fatalf("request of exactly %d bytes: %v", len(atLimit), err)
	}
	_, err := eventcodec.Decode([]byte(atLimit + " "))
	refused(t, err, protocol.ErrorTypePayloadTooLarge, "")
}
