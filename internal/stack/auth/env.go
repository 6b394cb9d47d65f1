package auth

import "fmt"

// Environment variables ConfigFromEnv reads; template.yaml sets them on the connect function.
const (
	EnvJWKSURL     = "AUTH_JWKS_URL"
	EnvIssuer      = "AUTH_ISSUER"
	EnvAudience    = "AUTH_AUDIENCE"
	EnvUserIDClaim = "AUTH_USER_ID_CLAIM"
	EnvHMACSecret  = "AUTH_HMAC_SECRET"
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
	}
	if c.JWKSURL == "" && len(c.HMACSecret) == 0 {
		return c, fmt.Errorf("set %s (production) or %s (development)", EnvJWKSURL, EnvHMACSecret)
	}
	return c, nil
}
