// Command emit delivers agent events to every live connection of one user; agents invoke it directly.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/agentbridge/agentbridge/internal/stack/emit"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

func main() {
	log := lambdaenv.Logger(os.Stdout, os.Getenv)
	h, err := emit.New(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("init failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
