package lambdahost

import (
	"io"
	"log/slog"
	"path/filepath"
	"time"
)

// Lambda's documented defaults and limits.
const (
	defaultTimeout        = 3 * time.Second
	defaultMemoryMB       = 128
	defaultMaxConcurrency = 10
	defaultRegion         = "us-east-1"
	defaultAccountID      = "123456789012"
	defaultRuntime        = "provided.al2023"
	defaultInitTimeout    = 10 * time.Second
	defaultBodyTimeout    = 10 * time.Second

	// MaxSyncPayload is the request and response limit of a synchronous invoke.
	MaxSyncPayload = 6 * 1024 * 1024
	// MaxAsyncPayload is the request limit of an asynchronous (Event) invoke.
	MaxAsyncPayload = 1024 * 1024
	// logTailBytes is how much output X-Amz-Log-Result carries.
	logTailBytes = 4 * 1024
)

// Config configures a Host. Its zero value works.
type Config struct {
	// Logger receives host events, and every function output line at debug
	// level (attribute "function"), so Output alone shows them to people.
	// Nil discards.
	Logger *slog.Logger
	// Output, when set, also receives every function output line prefixed
	// with "[Name] ". Nil writes nowhere.
	Output io.Writer
	// Region is the default AWS_REGION for functions that name none.
	// Default "us-east-1".
	Region string
	// AccountID appears in function ARNs. Default "123456789012".
	AccountID string
	// CredentialsEnv is passed to every function process (for example
	// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, or
	// AWS_ENDPOINT_URL_DYNAMODB). Function variables override it. Default none.
	CredentialsEnv map[string]string
	// InitTimeout bounds a cold start: the time from exec to the first
	// "next" call. Default 10s, as Lambda's on-demand init limit.
	InitTimeout time.Duration
	// BodyTimeout bounds how long a request body may take to arrive, on the Invoke API and on
	// every function's Runtime API. Default 10s.
	BodyTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Region == "" {
		c.Region = defaultRegion
	}
	if c.AccountID == "" {
		c.AccountID = defaultAccountID
	}
	if c.InitTimeout <= 0 {
		c.InitTimeout = defaultInitTimeout
	}
	if c.BodyTimeout <= 0 {
		c.BodyTimeout = defaultBodyTimeout
	}
	return c
}

// FunctionSpec describes one function to host. Only Name and Executable are
// required.
type FunctionSpec struct {
	// Name is the function name (AWS_LAMBDA_FUNCTION_NAME, the ARN's last part).
	Name string
	// Aliases are other names callers may use, such as the template logical id.
	Aliases []string
	// Executable is the path of the compiled bootstrap or handler binary.
	Executable string
	// Handler is reported as _HANDLER. Default "bootstrap".
	Handler string
	// Runtime names the Lambda runtime, for AWS_EXECUTION_ENV.
	// Default "provided.al2023".
	Runtime string
	// Env holds the template's Environment.Variables; they win over
	// everything but AWS_LAMBDA_RUNTIME_API.
	Env map[string]string
	// Timeout is the per-invocation deadline. Default 3s.
	Timeout time.Duration
	// MemoryMB is reported as AWS_LAMBDA_FUNCTION_MEMORY_SIZE. Default 128.
	MemoryMB int
	// Region overrides Config.Region for this function.
	Region string
	// MaxConcurrency bounds the number of processes. Default 10.
	MaxConcurrency int
	// Dir is the working directory and LAMBDA_TASK_ROOT. Default: the
	// executable's directory.
	Dir string
	// LogFormat, when set ("JSON" or "Text"), is passed as AWS_LAMBDA_LOG_FORMAT.
	LogFormat string
}

func (s FunctionSpec) withDefaults(cfg Config) FunctionSpec {
	if s.Handler == "" {
		s.Handler = "bootstrap"
	}
	if s.Runtime == "" {
		s.Runtime = defaultRuntime
	}
	if s.Timeout <= 0 {
		s.Timeout = defaultTimeout
	}
	if s.MemoryMB <= 0 {
		s.MemoryMB = defaultMemoryMB
	}
	if s.Region == "" {
		s.Region = cfg.Region
	}
	if s.MaxConcurrency <= 0 {
		s.MaxConcurrency = defaultMaxConcurrency
	}
	if s.Dir == "" {
		s.Dir = filepath.Dir(s.Executable)
	}
	return s
}
