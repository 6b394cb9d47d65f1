package auth

import (
	"fmt"
	"strings"
)

// Environment variables ConfigFromEnv reads; template.yaml sets them on the connect function.
const (
	EnvJWKSURL     = "AUTH_JWKS_URL"
	EnvIssuer      = "AUTH_ISSUER"
	EnvAudience    = "AUTH_AUDIENCE"
	EnvUserIDClaim = "AUTH_USER_ID_CLAIM"
	EnvHMACSecret  = "AUTH_HMAC_SECRET"
	EnvClientIDs   = "AUTH_CLIENT_IDS" // comma-separated
	EnvTokenUse    = "AUTH_TOKEN_USE"
)

// ConfigFromEnv reads the token verification settings. It refuses a configuration with no key
// source, so a deployment without a JWKS URL or a development secret fails at init.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		JWKSURL:     getenv(EnvJWKSURL),
		Issuer:      getenv(EnvIssuer),
		Audience:    getenv(EnvAudience),
		UserIDClaim: getenv(EnvUserIDClaim),
		HMACSecret:  []byte(getenv(EnvHMACSecret)),
		TokenUse:    getenv(EnvTokenUse),
	}
	for _, id := range strings.Split(getenv(EnvClientIDs), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.ClientIDs = append(c.ClientIDs, id)
		}
	}
	if c.JWKSURL == "" && len(c.HMACSecret) == 0 {
		return c, fmt.Errorf("set %s (production) or %s (development)", EnvJWKSURL, EnvHMACSecret)
	}
	return c, nil
}
