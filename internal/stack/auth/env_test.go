package auth

import "testing"

func TestConfigFromEnvNeedsAKeySource(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, err := ConfigFromEnv(env(nil)); err == nil {
		t.Fatal("no JWKS and no secret was accepted")
	}
	c, err := ConfigFromEnv(env(map[string]string{EnvJWKSURL: "https://issuer/jwks", EnvAudience: "a", EnvUserIDClaim: "uid"}))
	if err != nil || c.JWKSURL != "https://issuer/jwks" || c.Audience != "a" || c.UserIDClaim != "uid" || len(c.HMACSecret) != 0 {
		t.Fatalf("got %+v, %v", c, err)
	}
}
