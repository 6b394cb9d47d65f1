package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

// TestVerifyRefusesMistypedRegisteredClaims covers claims that carry the right name with the
// wrong JSON type. golang-jwt v5 alone accepts a NumericDate written as a string of digits,
// so those rows fail without the type check in claims.go.
func TestVerifyRefusesMistypedRegisteredClaims(t *testing.T) {
	exp := time.Now().Add(time.Hour).Unix()
	past := time.Now().Add(-time.Minute).Unix()
	cfg := auth.Config{HMACSecret: testHMACSecret}
	withIss := auth.Config{HMACSecret: testHMACSecret, Issuer: "https://issuer.example"}
	withAud := auth.Config{HMACSecret: testHMACSecret, Audience: "agentbridge"}
	tests := []struct {
		name   string
		cfg    auth.Config
		claims jwt.MapClaims
		ok     bool
	}{
		{"well typed", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "nbf": past, "iat": past}, true},
		{"exp fractional number", cfg, jwt.MapClaims{"sub": "alice", "exp": float64(exp) + 0.5}, true},
		{"exp as string of digits", cfg, jwt.MapClaims{"sub": "alice", "exp": "9999999999"}, false},
		{"exp as string", cfg, jwt.MapClaims{"sub": "alice", "exp": "tomorrow"}, false},
		{"exp as object", cfg, jwt.MapClaims{"sub": "alice", "exp": map[string]any{"t": exp}}, false},
		{"exp as array", cfg, jwt.MapClaims{"sub": "alice", "exp": []any{exp}}, false},
		{"exp as bool", cfg, jwt.MapClaims{"sub": "alice", "exp": true}, false},
		{"exp null", cfg, jwt.MapClaims{"sub": "alice", "exp": nil}, false},
		{"nbf as string of digits", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "nbf": "1"}, false},
		{"nbf as object", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "nbf": map[string]any{}}, false},
		{"nbf null", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "nbf": nil}, false},
		{"iat as string of digits", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "iat": "1"}, false},
		{"iat as object", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "iat": map[string]any{"s": 1}}, false},
		{"iss as number", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "iss": 7}, false},
		{"iss as array", withIss, jwt.MapClaims{"sub": "alice", "exp": exp, "iss": []string{"https://issuer.example"}}, false},
		{"iss as object", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "iss": map[string]any{}}, false},
		{"aud as number", cfg, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": 1}, false},
		{"aud as object", withAud, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": map[string]any{"agentbridge": true}}, false},
		{"aud array with a number", withAud, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": []any{"agentbridge", 1}}, false},
		{"aud array of strings", withAud, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": []any{"x", "agentbridge"}}, true},
		{"sub as number", cfg, jwt.MapClaims{"sub": 42, "exp": exp}, false},
		{"sub as array", cfg, jwt.MapClaims{"sub": []string{"alice"}, "exp": exp}, false},
		{"sub as object with custom user claim", auth.Config{HMACSecret: testHMACSecret, UserIDClaim: "uid"}, jwt.MapClaims{"uid": "bob", "sub": map[string]any{}, "exp": exp}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, tt.cfg)
			got, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testHMACSecret, "", tt.claims))
			checkOutcome(t, got, err, tt.ok)
		})
	}
}

// TestVerifyRefusesCriticalHeaders covers RFC 7515 §4.1.11: this verifier understands no
// extension, so every crit is refused, whatever it lists. golang-jwt v5 ignores crit.
func TestVerifyRefusesCriticalHeaders(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]any
		ok     bool
	}{
		{"no crit", nil, true},
		{"unknown header without crit", map[string]any{"x-extension": 1}, true},
		{"crit naming an unknown extension", map[string]any{"crit": []string{"exp"}, "exp": 1}, false},
		{"crit naming an absent extension", map[string]any{"crit": []string{"x-policy"}}, false},
		{"crit b64 (RFC 7797)", map[string]any{"crit": []string{"b64"}, "b64": false}, false},
		{"crit empty", map[string]any{"crit": []string{}}, false},
		{"crit naming a registered header", map[string]any{"crit": []string{"alg"}}, false},
		{"crit naming kid", map[string]any{"crit": []string{"kid"}, "kid": "k1"}, false},
		{"crit as string", map[string]any{"crit": "x-policy", "x-policy": 1}, false},
		{"crit with a number", map[string]any{"crit": []any{1}}, false},
		{"crit null", map[string]any{"crit": nil}, false},
	}
	v := newVerifier(t, auth.Config{HMACSecret: testHMACSecret})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsFor("alice"))
			for k, val := range tt.header {
				tok.Header[k] = val
			}
			s, err := tok.SignedString(testHMACSecret)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(t.Context(), s)
			checkOutcome(t, got, err, tt.ok)
		})
	}
}

func checkOutcome(t *testing.T, got string, err error, ok bool) {
	t.Helper()
	switch {
	case ok && (err != nil || got != "alice"):
		t.Fatalf("Verify = %q, %v; want alice", got, err)
	case !ok && (err == nil || !errors.Is(err, auth.ErrInvalidToken)):
		t.Fatalf("Verify = %q, %v; want ErrInvalidToken", got, err)
	}
}
