package devhost

import (
	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
	"io"
	"log/slog"
	"time"
)

// Options configure a Host; the zero value runs ./template.yaml on 127.0.0.1:3001.
type Options struct {
	// Template is the SAM template's path. Default "template.yaml".
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
	// DynamoDBEndpoint is the DynamoDB-compatible server to use. Default: start one.
	DynamoDBEndpoint string
	// DynamoDBServer is the server started when no endpoint is given: dynalite (default, in
	// memory, from node_modules) or moto (moto_server on the PATH).
	DynamoDBServer dynamoserver.Kind
	// ModuleRoot holds node_modules/.bin/dynalite. Default: the template's directory.
	ModuleRoot string
	// BuildDir receives function builds. Default "<template dir>/.build/local".
	BuildDir string
	// IdleTimeout and MaxConnectionDuration override API Gateway's 10 minutes and 2 hours.
	IdleTimeout           time.Duration
	MaxConnectionDuration time.Duration
	// Only, when set, limits the functions built and run to these logical ids.
	Only []string
	// MaxConcurrency bounds each function's process pool. Default 10.
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
	// Logger receives the host's own logs. Default: discarded.
	Logger *slog.Logger
}
