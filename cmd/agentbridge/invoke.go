package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/agentbridge/agentbridge/client"
	"github.com/agentbridge/agentbridge/internal/local/devhost"
)

func runInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf stackFlags
	sf.register(fs)
	eventFile := fs.String("event", "", "JSON event file ('-' for standard input; default {})")
	endpoint := fs.String("endpoint", "", "invoke through the Invoke API of a running stack (such as http://127.0.0.1:3001 from make dev) instead of starting one")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: agentbridge invoke FUNCTION [--event file.json] [--endpoint URL] [flags]")
		fmt.Fprintln(stderr, "\nBuilds FUNCTION (a logical id of the template), runs it once like Lambda and prints its result;")
		fmt.Fprintln(stderr, "with --endpoint, invokes it on a stack that is already running.")
		fs.PrintDefaults()
	}
	// The function name may come before or after the flags, as with sam local invoke.
	var name string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if name == "" && fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	if name == "" {
		fs.Usage()
		return errUsage
	}
	payload, err := readEvent(*eventFile)
	if err != nil {
		return err
	}
	if *endpoint != "" {
		return invokeRunning(ctx, *endpoint, name, payload, stdout)
	}
	opts, err := sf.options()
	if err != nil {
		return err
	}
	opts.Addr, opts.Only, opts.Output = "127.0.0.1:0", []string{name}, stderr
	host, err := devhost.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer host.Close()
	res, err := host.Invoke(ctx, name, payload)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, string(res.Payload))
	if res.FunctionError != "" {
		return fmt.Errorf("function error (%s)", res.FunctionError)
	}
	return nil
}

func readEvent(path string) ([]byte, error) {
	switch path {
	case "":
		return []byte("{}"), nil
	case "-":
		return io.ReadAll(os.Stdin)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--event: %w", err)
	}
	return b, nil
}

// invokeRunning invokes name once through a running stack's Invoke API, the way an agent would.
func invokeRunning(ctx context.Context, endpoint, name string, payload []byte, stdout io.Writer) error {
	lc, err := client.NewLambdaClient(ctx, client.Target{Endpoint: endpoint})
	if err != nil {
		return err
	}
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: payload})
	if err != nil {
		return fmt.Errorf("invoke %s at %s: %w", name, endpoint, err)
	}
	fmt.Fprintln(stdout, string(out.Payload))
	if out.FunctionError != nil {
		return fmt.Errorf("function error (%s)", *out.FunctionError)
	}
	return nil
}
