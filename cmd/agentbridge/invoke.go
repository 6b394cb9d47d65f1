package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
)

func runInvoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("invoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf stackFlags
	sf.register(fs)
	eventFile := fs.String("event", "", "JSON event file ('-' for standard input; default {})")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: agentbridge invoke FUNCTION [--event file.json] [flags]")
		fmt.Fprintln(stderr, "\nBuilds FUNCTION (a logical id of the template), runs it once like Lambda and prints its result.")
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
