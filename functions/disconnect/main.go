// Command disconnect is the $disconnect handler: it removes the closed connection's mapping.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/agentbridge/agentbridge/internal/stack/disconnect"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

func main() {
	log := lambdaenv.Logger(os.Stdout, os.Getenv)
	h, err := disconnect.New(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("init failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
