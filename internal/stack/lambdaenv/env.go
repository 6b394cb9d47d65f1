// Package lambdaenv reads a function's settings from its environment, once, at start-up, and
// builds what every function shares: its logger and its AWS configuration. Each function asks
// only for what it needs, and a missing or malformed setting is an error naming the variable, so
// a misconfigured deployment fails at init rather than per request.
package lambdaenv

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
)

// Environment variables the functions read; template.yaml sets them.
const (
	EnvTable              = "CONNECTIONS_TABLE"
	EnvIndex              = "CONNECTIONS_INDEX"
	EnvConnectionTTL      = "CONNECTION_TTL"
	EnvManagementEndpoint = "MANAGEMENT_ENDPOINT"
)

// DefaultConnectionTTL outlives API Gateway's 2-hour connection limit by a margin, so a
// mapping whose $disconnect never ran stops counting soon after the socket must have closed.
const DefaultConnectionTTL = 2*time.Hour + 10*time.Minute

// Store is what every function needs to reach the connections table.
type Store struct {
	Table string
	Index string // "" means the default index name
	TTL   time.Duration
}

// Getenv looks up one variable; os.Getenv fits.
type Getenv func(string) string

// LoadStore reads the table settings.
func LoadStore(getenv Getenv) (Store, error) {
	s := Store{Table: getenv(EnvTable), Index: getenv(EnvIndex), TTL: DefaultConnectionTTL}
	if s.Table == "" {
		return s, fmt.Errorf("%s is not set", EnvTable)
	}
	if v := getenv(EnvConnectionTTL); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return s, fmt.Errorf("%s=%q is not a positive duration such as 2h10m", EnvConnectionTTL, v)
		}
		s.TTL = d
	}
	return s, nil
}

// LoadManagementEndpoint reads the API Gateway Management API endpoint emit posts to.
func LoadManagementEndpoint(getenv Getenv) (string, error) {
	e := getenv(EnvManagementEndpoint)
	if e == "" {
		return "", fmt.Errorf("%s is not set", EnvManagementEndpoint)
	}
	return e, nil
}

// AWS loads the SDK's default configuration chain once, so AWS_ENDPOINT_URL_DYNAMODB and
// friends redirect a function's clients on the local host without code changes.
func AWS(ctx context.Context) (aws.Config, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return cfg, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
