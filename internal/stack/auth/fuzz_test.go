package auth_test

import (
	"crypto/rand"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

// FuzzVerify: arbitrary token strings never panic and never verify against a secret the
// fuzzer cannot know. Seeds include genuine-looking tokens signed with other keys, so the
// mutator starts from well-formed JWTs.
func FuzzVerify(f *testing.F) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		f.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.Config{HMACSecret: secret})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(v.Close)
	f.Add(sign(f, jwt.SigningMethodHS256, []byte("not the secret"), "", claimsFor("alice")))
	f.Add(sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", claimsFor("alice")))
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.")
	f.Add("...")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		if user, err := v.Verify(t.Context(), token); err == nil {
			t.Fatalf("token %q verified as %q without the key", token, user)
		}
	})
}
