// Command stream answers the WebSocket routes resume and replay with the connection's own
// stored events.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
	"github.com/agentbridge/agentbridge/internal/stack/stream"
)

func main() {
	log := lambdaenv.Logger(os.Stdout, os.Getenv)
	h, err := stream.New(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("init failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
