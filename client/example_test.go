package client_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/client/clienttest"
	"github.com/agentbridge/agentbridge/protocol"
)

// A complete agent run. The SDK's standard settings choose the endpoint: with
// AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:3001 the events go to `agentbridge dev`, without it
// to the EmitFunction deployed in your account.
func ExampleRun() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatal(err)
	}
	c := client.New(lambda.NewFromConfig(cfg), "EmitFunction", client.Config{})
	run := c.Run("alice", "run-42", client.RunOptions{ThreadID: "thread-7", AgentName: "researcher"})
	defer run.Close(ctx)

	// Progress events are best effort here: a lost "thinking" chunk should not stop the
	// agent. The final event's error and report are checked below.
	run.Started(ctx, map[string]string{"question": "What is the capital of Australia?"})
	run.Thinking(ctx, "Let me look that up.")
	run.ToolExecuting(ctx, "web_search", "call_1", map[string]string{"query": "capital of Australia"})
	hits, searchErr := []string{"Canberra is the capital of Australia."}, error(nil)
	run.ToolCompleted(ctx, "web_search", "call_1", hits, searchErr)
	rep, err := run.Completed(ctx, "The capital of Australia is Canberra.")

	var emitErr *client.Error
	switch {
	case errors.As(err, &emitErr) && !emitErr.Retryable:
		log.Printf("emit refused (%s): %s", emitErr.Type, emitErr.Message)
	case err != nil:
		log.Printf("emit failed: %v", err)
	default:
		log.Printf("delivered to %d of %d connections", rep.Delivered, rep.Connections)
	}
}

// Batching trades a little latency for far fewer invokes: events are queued and sent 20 at
// a time, or 50 ms after the first one was queued. A fake Invoke API counts the invokes here.
func ExampleClient_Run() {
	ctx := context.Background()
	srv := clienttest.NewServer(nil) // stands in for Lambda; use lambda.NewFromConfig in an agent
	defer srv.Close()

	c := client.New(srv.LambdaClient(), "EmitFunction", client.Config{BatchSize: 20, BatchDelay: 50 * time.Millisecond})
	run := c.Run("alice", "run-43", client.RunOptions{})
	for i := range 100 {
		run.Thinking(ctx, fmt.Sprintf("token %d ", i))
	}
	if err := run.Close(ctx); err != nil { // sends what is still queued
		log.Fatal(err)
	}
	fmt.Println("events:", len(srv.Events()), "invokes:", c.Stats().Invokes)
	// Output: events: 100 invokes: 5
}

// Send replays events exactly as given, for tools that forward recorded runs.
func ExampleClient_Send() {
	ctx := context.Background()
	srv := clienttest.NewServer(nil)
	defer srv.Close()

	c := client.New(srv.LambdaClient(), "", client.Config{})
	seq := int64(0)
	rep, err := c.Send(ctx, "alice", protocol.Event{
		Type: protocol.AgentThinking, RunID: "run-44", Seq: &seq,
		Payload: []byte(`{"text":"replayed"}`),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", *rep)
	// Output: {Events:1 Stored:0 Duplicates:0 Connections:1 Delivered:1 StaleRemoved:0 Gone:0 Throttled:0 Failed:0 NotAttempted:0}
}
