package e2e

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestAsyncRetryIsHarmless: Lambda retries a failed asynchronous invoke with the same payload
// (up to twice, EventInvokeConfig in template.yaml). Emit stores events under their event_id,
// so a retry delivers nothing new: the test invokes emit asynchronously twice with one request
// carrying event_ids, as a retry does, then synchronously a third time, and the browser sees
// each event under one offset only and the third report counts both events as duplicates.
//
// It needs idempotent emit (event_id in requests, the durable stream): against an emit that
// refuses event_id or stores nothing it skips, saying so.
func TestAsyncRetryIsHarmless(t *testing.T) {
	const user = "e2e-async-retry"
	tab := dial(t, shared, user)
	body := `{"user_id":"` + user + `","events":[
		{"type":"agent_started","run_id":"async-r1","event_id":"evt_asyncretry000000000000000a","seq":0},
		{"type":"agent_thinking","run_id":"async-r1","event_id":"evt_asyncretry000000000000000b","seq":1,"payload":{"text":"once"}}]}`
	want := []string{"evt_asyncretry000000000000000a", "evt_asyncretry000000000000000b"}

	lc := lambdaClient(shared)
	probe, err := lc.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	if probe.FunctionError != nil {
		t.Fatalf("emit failed: %s", probe.Payload)
	}
	var first map[string]any
	if err := json.Unmarshal(probe.Payload, &first); err != nil {
		t.Fatal(err)
	}
	if first["stored"] != float64(len(want)) {
		t.Fatalf("the first invoke stored %v events, want %d: %s", first["stored"], len(want), probe.Payload)
	}
	// The synchronous probe delivered the events once; two asynchronous invokes of the same
	// payload follow, as Lambda's retries of a failed asynchronous invoke would.
	for range 2 {
		out, err := lc.Invoke(t.Context(), &lambda.InvokeInput{
			FunctionName: aws.String("EmitFunction"), InvocationType: types.InvocationTypeEvent, Payload: []byte(body),
		})
		if err != nil || out.StatusCode != 202 {
			t.Fatalf("async invoke: %v %+v", err, out)
		}
	}
	// A synchronous repeat: both events are already held.
	out, err := lc.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(body)})
	var report map[string]any
	if err != nil || out.FunctionError != nil || json.Unmarshal(out.Payload, &report) != nil {
		t.Fatalf("repeat: %v %s", err, out.Payload)
	}
	if report["duplicates"] != float64(len(want)) || report["stored"] != float64(0) {
		t.Errorf("repeat reported %v, want both events as duplicates and none stored", report)
	}
	// Duplicates are delivered again, under their first offset: four invokes, four copies of
	// each event, whenever the asynchronous ones run. Then a sentinel shows nothing else came.
	const invokes = 4
	offsets := map[string]map[float64]bool{}
	copies := map[string]int{}
	record := func(m map[string]any) string {
		id, _ := m["event_id"].(string)
		off, ok := m["offset"].(float64)
		if !ok {
			t.Fatalf("envelope without an offset: %v", m)
		}
		if offsets[id] == nil {
			offsets[id] = map[float64]bool{}
		}
		offsets[id][off] = true
		copies[id]++
		return id
	}
	for copies[want[0]] < invokes || copies[want[1]] < invokes {
		record(readJSON(t, tab))
	}
	emit(t, shared, `{"user_id":"`+user+`","type":"agent_completed","run_id":"async-r1","event_id":"evt_asyncretry00000000000000zz"}`)
	for {
		if record(readJSON(t, tab)) == "evt_asyncretry00000000000000zz" {
			break
		}
	}
	delete(offsets, "evt_asyncretry00000000000000zz")
	for _, id := range want {
		if copies[id] != invokes {
			t.Errorf("event %s arrived %d times for %d invokes", id, copies[id], invokes)
		}
	}
	if len(offsets) != len(want) {
		t.Fatalf("tab saw events %v, want exactly %v", offsets, want)
	}
	for _, id := range want {
		if n := len(offsets[id]); n != 1 {
			t.Errorf("event %s arrived under %d offsets (%v), want one: the retry stored it again", id, n, offsets[id])
		}
	}
	if t.Failed() {
		t.Logf("last report: %v", report)
	}
}
