package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/protocol"
)

// lockedBuffer collects the host's output from its writer goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// invocations counts the Lambda START lines the host printed so far.
func (b *lockedBuffer) invocations() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Count(b.buf.Bytes(), []byte("START RequestId:"))
}

// TestPingKeepsTabOpenWithoutInvoking runs template.yaml's ping route (a MOCK integration):
// each {"action":"ping"} gets {"type":"pong"}, no function runs, and pings more frequent
// than the idle timeout keep the tab open and receiving events well past it.
func TestPingKeepsTabOpenWithoutInvoking(t *testing.T) {
	const idle = time.Second
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	out := &lockedBuffer{}
	h, err := startHost(ctx, devhost.Options{IdleTimeout: idle, Output: out})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	c := dial(t, h, "e2e-ping")
	before := out.invocations() // $connect
	emitted := make(chan emitResult, 1)
	tick := time.NewTicker(idle / 4)
	defer tick.Stop()
	pongs, event := 0, false
	for i := 0; pongs < 12 || !event; i++ { // at least 3 idle periods, until the event came
		if i == 4 {
			// Emit while pinging: the tab must still be there to receive it.
			go func() {
				emitted <- emitAsync(ctx, h, `{"user_id":"e2e-ping","events":[{"type":"agent_started","run_id":"r1","seq":0}]}`)
			}()
		}
		if i > 200 {
			t.Fatalf("after %d pings: %d pongs, event received %v", i, pongs, event)
		}
		<-tick.C
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"ping"}`)); err != nil {
			t.Fatalf("write ping %d: %v", i, err)
		}
		// Read up to this ping's pong; the event may come before it.
		for {
			var frame struct{ Type string }
			got := readRaw(t, c)
			if err := json.Unmarshal(got, &frame); err != nil {
				t.Fatalf("frame %q: %v", got, err)
			}
			if frame.Type == "pong" && string(got) == `{"type":"pong"}` {
				pongs++
				break
			}
			if frame.Type != string(protocol.AgentStarted) || event {
				t.Fatalf("tab got %s", got)
			}
			event = true
		}
	}
	if r := <-emitted; r.err != nil || r.Delivered != 1 {
		t.Errorf("emit: report %+v, error %v", r.DeliveryReport, r.err)
	}
	// Invocations: $connect, and EmitFunction once; the pings none.
	if n := out.invocations() - before; n != 1 {
		t.Errorf("%d invocations besides $connect, want EmitFunction's only", n)
	}
}

type emitResult struct {
	protocol.DeliveryReport
	err error
}

// emitAsync is emit for a goroutine: it reports failure instead of failing the test.
func emitAsync(ctx context.Context, h *devhost.Host, body string) emitResult {
	out, err := lambdaClient(h).Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String("EmitFunction"), Payload: []byte(body),
	})
	if err != nil {
		return emitResult{err: err}
	}
	if out.FunctionError != nil {
		return emitResult{err: fmt.Errorf("emit failed: %s", out.Payload)}
	}
	var r emitResult
	r.err = json.Unmarshal(out.Payload, &r.DeliveryReport)
	return r
}
