package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
	"github.com/agentbridge/agentbridge/internal/local/samtemplate"
	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

// stackFlags are the flags dev and invoke share.
type stackFlags struct {
	template  string
	overrides multiFlag
	dynamodb  string
	server    string
	region    string
}

func (s *stackFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.template, "template", "template.yaml", "SAM template to run")
	fs.Var(&s.overrides, "parameter-overrides", "template parameters as Key=Value (repeatable, or space-separated as in sam)")
	fs.StringVar(&s.dynamodb, "dynamodb-endpoint", "", "DynamoDB-compatible server to use (default $AWS_ENDPOINT_URL_DYNAMODB, else start dynalite)")
	fs.StringVar(&s.server, "dynamodb-server", "dynalite", "DynamoDB-compatible server to start when no endpoint is given: dynalite or moto")
	fs.StringVar(&s.region, "region", "", "AWS region of the stack (default $AWS_REGION, else us-east-1)")
}

// options turns the flags into host options. The development secret becomes the value of a
// template parameter named DevHmacSecret, if the template has one and the caller left it unset,
// so `agentbridge token` tokens work.
func (s *stackFlags) options() (devhost.Options, error) {
	ov, err := samtemplate.ParseParameterOverrides(s.overrides)
	if err != nil {
		return devhost.Options{}, fmt.Errorf("--parameter-overrides: %w", err)
	}
	kind := dynamoserver.Kind(s.server)
	if kind != dynamoserver.Dynalite && kind != dynamoserver.Moto {
		return devhost.Options{}, fmt.Errorf("--dynamodb-server %q: want dynalite or moto", s.server)
	}
	return devhost.Options{
		Template: s.template, Overrides: ov, DefaultParameters: map[string]string{devSecretParameter: devSecret()},
		DynamoDBEndpoint: s.dynamodb, DynamoDBServer: kind, Region: s.region,
	}, nil
}

const devSecretParameter = "DevHmacSecret"

type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error {
	*m = append(*m, strings.Fields(v)...)
	return nil
}

func runDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf stackFlags
	sf.register(fs)
	port := fs.Int("port", 3001, "port of the WebSocket, @connections and Lambda Invoke endpoints")
	bind := fs.String("host", "127.0.0.1", "address to listen on; set it to the Docker bridge address only when functions run in containers (SAM, LocalStack)")
	lambdaEndpoint := fs.String("lambda-endpoint", "", "run functions on this external Lambda Invoke API (sam local start-lambda, LocalStack) instead of here")
	idle := fs.Duration("idle-timeout", 10*time.Minute, "close connections idle this long")
	maxDuration := fs.Duration("max-connection-duration", 2*time.Hour, "close connections open this long")
	quiet := fs.Bool("quiet", false, "do not print function output")
	bodyTimeout := fs.Duration("body-timeout", 10*time.Second, "answer 408 to request bodies that take longer than this to arrive")
	maxConns := fs.Int("max-connections", 1024, "HTTP connections (not WebSockets) open at once before new ones get 503")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts, err := sf.options()
	if err != nil {
		return err
	}
	opts.Addr = net.JoinHostPort(*bind, strconv.Itoa(*port))
	opts.LambdaEndpoint = *lambdaEndpoint
	opts.IdleTimeout, opts.MaxConnectionDuration = *idle, *maxDuration
	// The console's tokens, signed only while the stack accepts them: a template given its own
	// DevHmacSecret, or a JWKS, would refuse them at $connect.
	var running atomic.Pointer[devhost.Host]
	opts.DevToken = func(user string) (string, error) {
		if h := running.Load(); h == nil || h.Template().Parameters[devSecretParameter].Value != devSecret() {
			return "", errors.New("this stack does not accept development tokens (its DevHmacSecret is not the local one); open the console with ?token=")
		}
		return auth.SignDevToken([]byte(devSecret()), auth.DevToken{UserID: user, TTL: time.Hour})
	}
	opts.BodyTimeout, opts.MaxConnections = *bodyTimeout, *maxConns
	opts.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	if !*quiet {
		opts.Output = stderr
	}
	fmt.Fprintln(stderr, "agentbridge: building functions and starting the local stack (a first build on a cold machine takes about a minute)…")
	host, err := devhost.Start(ctx, opts)
	if err != nil {
		return err
	}
	running.Store(host)
	printBanner(stdout, host)
	<-ctx.Done()
	fmt.Fprintln(stderr, "\nagentbridge: stopping (closing sockets, functions, DynamoDB)…")
	return host.Close()
}

func printBanner(w io.Writer, h *devhost.Host) {
	fmt.Fprintf(w, "\nagentbridge local stack is up\n\n")
	fmt.Fprintf(w, "  Console          %s\n", h.ConsoleURL())
	fmt.Fprintf(w, "  WebSocket        %s\n", h.WebSocketURL())
	fmt.Fprintf(w, "  @connections     %s\n", h.ManagementEndpoint())
	fmt.Fprintf(w, "  Lambda Invoke    %s\n", h.BaseURL())
	fmt.Fprintf(w, "  DynamoDB         %s\n\n", h.DynamoDBEndpoint())
	if h.Template().Parameters[devSecretParameter].Value != devSecret() {
		fmt.Fprintln(w, "Press Ctrl-C to stop.")
		return
	}
	tok, err := auth.SignDevToken([]byte(devSecret()), auth.DevToken{UserID: "alice", TTL: 12 * time.Hour})
	if err != nil {
		return
	}
	fmt.Fprintf(w, "Open the console to watch alice's runs and play an example one:\n\n  %s?user=alice\n\n", h.ConsoleURL())
	fmt.Fprintf(w, "A token for user alice (12 h; make more with `./bin/agentbridge token --user NAME`):\n\n  %s\n\n", tok)
	fmt.Fprintf(w, "Watch alice's events in a terminal (resumes by itself after a drop):\n\n  ./bin/agentbridge watch --user alice --url %s\n\n", h.WebSocketURL())
	fmt.Fprintf(w, "Emit one:\n\n  ./bin/agentbridge emit --endpoint %s --user alice --type agent_thinking --run run-1 --data '{\"text\":\"hello\"}'\n\n", h.BaseURL())
	fmt.Fprintf(w, "  echo '{\"user_id\":\"alice\",\"type\":\"agent_started\",\"run_id\":\"run-1\"}' > event.json\n")
	fmt.Fprintf(w, "  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws lambda invoke --region us-east-1 \\\n")
	fmt.Fprintf(w, "    --endpoint-url %s --function-name EmitFunction --payload fileb://event.json out.json\n\n", h.BaseURL())
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}
