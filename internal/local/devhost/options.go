package devhost

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
)

// Options configure a Host; the zero value runs ./template.yaml on 127.0.0.1:3001.
type Options struct {
	// Template is the SAM template's path, made absolute. Default "template.yaml".
	Template string
	// Overrides are parameter values, as sam's --parameter-overrides.
	Overrides map[string]string
	// DefaultParameters replace the template's defaults of the parameters it declares, where
	// Overrides leave them unset; other names are ignored. Default none.
	DefaultParameters map[string]string
	// Addr is where the host listens. Default "127.0.0.1:3001"; port 0 picks a free one.
	Addr string
	// Region is the stack's region. Default $AWS_REGION, else "us-east-1".
	Region string
	// LambdaEndpoint, when set, is an external Lambda Invoke API (sam local start-lambda,
	// LocalStack) that runs the functions; the host then builds and runs none itself.
	LambdaEndpoint string
	// DynamoDBEndpoint is the DynamoDB-compatible server to use. Default
	// $AWS_ENDPOINT_URL_DYNAMODB; when that is unset too, the host starts DynamoDBServer.
	DynamoDBEndpoint string
	// DynamoDBServer is the server started when no endpoint is given: dynalite (in memory,
	// from node_modules) or moto (moto_server on the PATH). Default dynalite.
	DynamoDBServer dynamoserver.Kind
	// ModuleRoot holds node_modules/.bin/dynalite. Default: the template's directory.
	ModuleRoot string
	// BuildDir receives function builds. Default "<template dir>/.build/local".
	BuildDir string
	// IdleTimeout and MaxConnectionDuration override API Gateway's 10 minutes and 2 hours
	// (the gateway's defaults).
	IdleTimeout           time.Duration
	MaxConnectionDuration time.Duration
	// Only, when set, limits the functions built and run to these logical ids. Default: all.
	Only []string
	// MaxConcurrency bounds each function's process pool. Default 10 (the Lambda host's).
	MaxConcurrency int
	// BodyTimeout bounds how long a request body may take to arrive, on every endpoint and
	// on the functions' Runtime API; a slower one is answered 408. Default 10s.
	BodyTimeout time.Duration
	// MaxConnections caps the HTTP connections open at once that are not WebSockets
	// (requests, handshakes, idle keep-alives); past it new ones get 503. Default 1024.
	MaxConnections int
	// DynamoDBHealthInterval is how often an external DynamoDB endpoint is checked
	// (ListTables). Default 5s.
	DynamoDBHealthInterval time.Duration
	// Output receives function and build output, each line prefixed with its source.
	// Default: discarded.
	Output io.Writer
	// ConsoleDir holds the built console. Default "<ModuleRoot>/web/console/dist".
	ConsoleDir string
	// DevToken signs a development token for a user, for the console. Nil: the console gets
	// none and says so (pass it ?token= instead).
	DevToken func(user string) (string, error)
	// Logger receives the host's own logs. Default: discarded.
	Logger *slog.Logger
}

// withDefaults returns o with every unset field at its documented default; fields another
// package defaults (the gateway's timeouts, the Lambda host's MaxConcurrency) stay zero.
func (o Options) withDefaults() Options {
	if o.Template == "" {
		o.Template = "template.yaml"
	}
	if abs, err := filepath.Abs(o.Template); err == nil {
		o.Template = abs
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:3001"
	}
	if o.Region == "" {
		o.Region = os.Getenv("AWS_REGION")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.DynamoDBEndpoint == "" {
		o.DynamoDBEndpoint = os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")
	}
	if o.DynamoDBServer == "" {
		o.DynamoDBServer = dynamoserver.Dynalite
	}
	if o.ModuleRoot == "" {
		o.ModuleRoot = filepath.Dir(o.Template)
	}
	if o.BuildDir == "" {
		o.BuildDir = filepath.Join(filepath.Dir(o.Template), ".build", "local")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.BodyTimeout <= 0 {
		o.BodyTimeout = 10 * time.Second
	}
	if o.MaxConnections <= 0 {
		o.MaxConnections = 1024
	}
	if o.DynamoDBHealthInterval <= 0 {
		o.DynamoDBHealthInterval = 5 * time.Second
	}
	return o
}
