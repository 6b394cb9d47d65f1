// Package config reads the functions' settings from their environment, once, at start-up.
// Each function asks only for what it needs, and a missing or malformed setting is an error
// naming the variable, so a misconfigured deployment fails at init rather than per request.
package config

import (
	"fmt"
	"time"

	"github.com/agentbridge/agentbridge/internal/auth"
)

// Environment variables the functions read; template.yaml sets them.
const (
	EnvTable              = "CONNECTIONS_TABLE"
	EnvIndex              = "CONNECTIONS_INDEX"
	EnvConnectionTTL      = "CONNECTION_TTL"
	EnvManagementEndpoint = "MANAGEMENT_ENDPOINT"
	EnvJWKSURL            = "AUTH_JWKS_URL"
	EnvIssuer             = "AUTH_ISSUER"
	EnvAudience           = "AUTH_AUDIENCE"
	EnvUserIDClaim        = "AUTH_USER_ID_CLAIM"
	EnvHMACSecret         = "AUTH_HMAC_SECRET"
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

// LoadAuth reads the token verification settings.
func LoadAuth(getenv Getenv) (auth.Config, error) {
	c := auth.Config{
		JWKSURL:     getenv(EnvJWKSURL),
		Issuer:      getenv(EnvIssuer),
		Audience:    getenv(EnvAudience),
		UserIDClaim: getenv(EnvUserIDClaim),
		HMACSecret:  []byte(getenv(EnvHMACSecret)),
	}
	if c.JWKSURL == "" && len(c.HMACSecret) == 0 {
		return c, fmt.Errorf("set %s (production) or %s (development)", EnvJWKSURL, EnvHMACSecret)
	}
	return c, nil
}

// LoadManagementEndpoint reads the API Gateway Management API endpoint emit posts to.
func LoadManagementEndpoint(getenv Getenv) (string, error) {
	e := getenv(EnvManagementEndpoint)
	if e == "" {
		return "", fmt.Errorf("%s is not set", EnvManagementEndpoint)
	}
	return e, nil
}
