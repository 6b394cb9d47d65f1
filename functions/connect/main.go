// Command connect is the $connect handler: it authenticates the user and records the connection.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/agentbridge/agentbridge/internal/stack/connect"
	"github.com/agentbridge/agentbridge/internal/stack/lambdaenv"
)

func main() {
	log := lambdaenv.Logger(os.Stdout, os.Getenv)
	h, err := connect.New(context.Background(), os.Getenv, log)
	if err != nil {
		log.Error("init failed", "error", err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
