package auth_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

func newVerifier(t testing.TB, cfg auth.Config) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}

// TestVerifyHMACClaims covers the claim checks every token goes through, with the development
// HMAC key so only the claims vary. Leeway is 30s; "just inside/outside" keep 5s of margin
// because NumericDate has one-second precision and the parser reads its own clock.
func TestVerifyHMACClaims(t *testing.T) {
	t.Parallel()
	now := time.Now()
	exp := now.Add(time.Hour).Unix()
	tests := []struct {
		name   string
		cfg    auth.Config
		claims jwt.MapClaims
		want   string // user id, "" for refused
	}{
		{"valid", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": exp}, "alice"},
		{"expired", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": now.Add(-time.Hour).Unix()}, ""},
		{"no exp", auth.Config{}, jwt.MapClaims{"sub": "alice"}, ""},
		{"exp zero", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": 0}, ""},
		{"exp just inside leeway", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": now.Add(-25 * time.Second).Unix()}, "alice"},
		{"exp just outside leeway", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": now.Add(-35 * time.Second).Unix()}, ""},
		{"nbf in the future", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": exp, "nbf": now.Add(time.Hour).Unix()}, ""},
		{"nbf just inside leeway", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": exp, "nbf": now.Add(25 * time.Second).Unix()}, "alice"},
		{"nbf just outside leeway", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": exp, "nbf": now.Add(35 * time.Second).Unix()}, ""},
		{"iat in the future", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": exp, "iat": now.Add(time.Hour).Unix()}, ""},
		{"iat just inside leeway", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": exp, "iat": now.Add(25 * time.Second).Unix()}, "alice"},
		{"iat in the past", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": exp, "iat": now.Add(-time.Minute).Unix()}, "alice"},
		{"sub with bidi override", auth.Config{}, jwt.MapClaims{"sub": "\u202ealice", "exp": exp}, ""},
		{"sub with byte order mark", auth.Config{}, jwt.MapClaims{"sub": "\ufeffalice", "exp": exp}, ""},
		{"issuer matches", auth.Config{Issuer: "https://issuer.example"}, jwt.MapClaims{"sub": "alice", "exp": exp, "iss": "https://issuer.example"}, "alice"},
		{"issuer wrong", auth.Config{Issuer: "https://issuer.example"}, jwt.MapClaims{"sub": "alice", "exp": exp, "iss": "https://evil.example"}, ""},
		{"issuer missing", auth.Config{Issuer: "https://issuer.example"}, jwt.MapClaims{"sub": "alice", "exp": exp}, ""},
		{"issuer differs by case", auth.Config{Issuer: "https://issuer.example"}, jwt.MapClaims{"sub": "alice", "exp": exp, "iss": "https://ISSUER.example"}, ""},
		{"audience matches", auth.Config{Audience: "agentbridge"}, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": "agentbridge"}, "alice"},
		{"audience wrong", auth.Config{Audience: "agentbridge"}, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": "other"}, ""},
		{"audience missing", auth.Config{Audience: "agentbridge"}, jwt.MapClaims{"sub": "alice", "exp": exp}, ""},
		{"audience empty list", auth.Config{Audience: "agentbridge"}, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": []string{}}, ""},
		{"multi-audience including ours", auth.Config{Audience: "agentbridge"}, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": []string{"other", "agentbridge"}}, "alice"},
		{"multi-audience without ours", auth.Config{Audience: "agentbridge"}, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": []string{"other", "agentbridge2"}}, ""},
		{"audience not configured, any accepted", auth.Config{}, jwt.MapClaims{"sub": "alice", "exp": exp, "aud": "whatever"}, "alice"},
		{"sub with padding", auth.Config{}, jwt.MapClaims{"sub": " alice", "exp": exp}, ""},
		{"sub with zero-width space", auth.Config{}, jwt.MapClaims{"sub": "ali\u200bce", "exp": exp}, ""},
		{"sub not a string", auth.Config{}, jwt.MapClaims{"sub": 42, "exp": exp}, ""},
		{"sub missing", auth.Config{}, jwt.MapClaims{"exp": exp}, ""},
		{"custom claim", auth.Config{UserIDClaim: "https://agentbridge.example/uid"}, jwt.MapClaims{"sub": "ignored", "https://agentbridge.example/uid": "bob", "exp": exp}, "bob"},
		{"custom claim number", auth.Config{UserIDClaim: "uid"}, jwt.MapClaims{"sub": "alice", "uid": 7, "exp": exp}, ""},
		{"custom claim object", auth.Config{UserIDClaim: "uid"}, jwt.MapClaims{"sub": "alice", "uid": map[string]any{"id": "bob"}, "exp": exp}, ""},
		{"custom claim null", auth.Config{UserIDClaim: "uid"}, jwt.MapClaims{"sub": "alice", "uid": nil, "exp": exp}, ""},
		{"custom claim missing, sub not used", auth.Config{UserIDClaim: "uid"}, jwt.MapClaims{"sub": "alice", "exp": exp}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.HMACSecret = testHMACSecret
			v := newVerifier(t, tt.cfg)
			got, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, testHMACSecret, "", tt.claims))
			if tt.want == "" {
				if err == nil || !errors.Is(err, auth.ErrInvalidToken) {
					t.Fatalf("Verify = %q, %v; want ErrInvalidToken", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Verify = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// TestVerifyRefusesForgedAlgorithms: alg none, other HMAC sizes, wrong secret, and algorithm
// confusion (HS256 keyed with the RSA public key's PEM, which an attacker knows) both with only
// a JWKS configured and with a JWKS beside a development secret.
func TestVerifyRefusesForgedAlgorithms(t *testing.T) {
	t.Parallel()
	a, _, _ := keys(t)
	jwks := newJWKSServer(t, map[string]any{"k1": &a.PublicKey})
	pemKey := publicPEM(t, &a.PublicKey)
	claims := claimsFor("alice")
	confused := sign(t, jwt.SigningMethodHS256, pemKey, "k1", claims)
	confusedNoKid := sign(t, jwt.SigningMethodHS256, pemKey, "", claims)
	none := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "k1", claims)
	configs := map[string]auth.Config{
		"jwks only":   {JWKSURL: jwks.URL},
		"jwks + hmac": {JWKSURL: jwks.URL, HMACSecret: testHMACSecret},
		"hmac only":   {HMACSecret: testHMACSecret},
	}
	tokens := map[string]string{
		"alg none":                      none,
		"HS256 with RSA PEM":            confused,
		"HS256 with RSA PEM, no kid":    confusedNoKid,
		"HS512 with the dev secret":     sign(t, jwt.SigningMethodHS512, testHMACSecret, "", claims),
		"HS256 with another secret":     sign(t, jwt.SigningMethodHS256, []byte("guessed"), "", claims),
		"RS384 with the JWKS key":       sign(t, jwt.SigningMethodRS384, a, "k1", claims),
		"PS256 with the JWKS key":       sign(t, jwt.SigningMethodPS256, a, "k1", claims),
		"RS256 header, signature cut":   strings.Join(strings.Split(sign(t, jwt.SigningMethodRS256, a, "k1", claims), ".")[:2], ".") + ".",
		"HS256 with the DER of the key": sign(t, jwt.SigningMethodHS256, derOf(t, pemKey), "k1", claims),
	}
	for cname, cfg := range configs {
		v := newVerifier(t, cfg)
		for tname, tok := range tokens {
			t.Run(cname+"/"+tname, func(t *testing.T) {
				if got, err := v.Verify(t.Context(), tok); err == nil {
					t.Fatalf("forged token accepted as %q", got)
				}
			})
		}
	}
	// The genuine token passes, so the refusals above are about the forgery.
	v := newVerifier(t, configs["jwks + hmac"])
	if got, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, a, "k1", claims)); err != nil || got != "alice" {
		t.Fatalf("genuine RS256: %q, %v", got, err)
	}
}

func derOf(t testing.TB, pemBytes []byte) []byte {
	t.Helper()
	i := strings.Index(string(pemBytes), "\n")
	return pemBytes[i+1:]
}

// TestVerifyHostileInputsReturnQuickly: a megabyte of dots and other garbage is refused with no
// panic, both by the length cap and, with the cap raised, by the parser itself (CVE-2025-30204
// was a memory blow-up on such tokens).
func TestVerifyHostileInputsReturnQuickly(t *testing.T) {
	t.Parallel()
	mb := 1 << 20
	inputs := map[string]string{
		"dots":             strings.Repeat(".", mb),
		"dots and letters": strings.Repeat("a.", mb/2),
		"three huge parts": strings.Repeat("A", mb/3) + "." + strings.Repeat("B", mb/3) + "." + strings.Repeat("C", mb/3),
		"base64 of json":   "eyJhbGciOiJIUzI1NiJ9." + strings.Repeat("eyJ9", mb/4) + ".sig",
		"nul bytes":        strings.Repeat("\x00", mb),
		"invalid utf8":     strings.Repeat("\xff\xfe", mb/2),
		"header only":      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
		"empty parts":      "..",
		"four parts":       "a.b.c.d",
		"json in place":    `{"alg":"none"}.{"sub":"alice"}.`,
	}
	for _, maxBytes := range []int{0, 2 * mb} {
		v := newVerifier(t, auth.Config{HMACSecret: testHMACSecret, MaxTokenBytes: maxBytes})
		for name, in := range inputs {
			t.Run(name, func(t *testing.T) {
				got, err := v.Verify(t.Context(), in)
				if err == nil {
					t.Fatalf("garbage accepted as %q", got)
				}
				if maxBytes == 0 && len(in) > 8192 && !errors.Is(err, auth.ErrTokenTooLong) {
					t.Errorf("err = %v, want ErrTokenTooLong before parsing", err)
				}
			})
		}
	}
	v := newVerifier(t, auth.Config{HMACSecret: testHMACSecret})
	if _, err := v.Verify(t.Context(), ""); !errors.Is(err, auth.ErrNoToken) {
		t.Errorf("empty token: %v, want ErrNoToken", err)
	}
}

func TestNewVerifierNeedsAKey(t *testing.T) {
	t.Parallel()
	if _, err := auth.NewVerifier(auth.Config{Issuer: "x"}); err == nil {
		t.Fatal("a verifier without any key was built")
	}
}
