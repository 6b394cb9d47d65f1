package auth_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

// hangGuard bounds waits that should end far sooner; it is not a performance assertion.
const hangGuard = 20 * time.Second

func TestJWKSAcceptsRS256AndES256(t *testing.T) {
	t.Parallel()
	a, unpublished, ec := keys(t)
	jwks := newJWKSServer(t, map[string]any{"rsa": &a.PublicKey, "ec": &ec.PublicKey})
	v := newVerifier(t, auth.Config{JWKSURL: jwks.URL, Issuer: "https://issuer.example", Audience: "agentbridge"})
	claims := jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix(), "iss": "https://issuer.example", "aud": []string{"agentbridge"}}
	tests := []struct {
		name string
		tok  string
		ok   bool
	}{
		{"RS256", sign(t, jwt.SigningMethodRS256, a, "rsa", claims), true},
		{"ES256", sign(t, jwt.SigningMethodES256, ec, "ec", claims), true},
		{"RS256 under the EC kid", sign(t, jwt.SigningMethodRS256, a, "ec", claims), false},
		{"ES256 under the RSA kid", sign(t, jwt.SigningMethodES256, ec, "rsa", claims), false},
		{"RS256 without kid, published key", sign(t, jwt.SigningMethodRS256, a, "", claims), true},
		{"RS256 without kid, unpublished key", sign(t, jwt.SigningMethodRS256, unpublished, "", claims), false},
		{"RS256 under a published kid, unpublished key", sign(t, jwt.SigningMethodRS256, unpublished, "rsa", claims), false},
		{"RS256 wrong audience", sign(t, jwt.SigningMethodRS256, a, "rsa", jwt.MapClaims{"sub": "alice", "exp": time.Now().Add(time.Hour).Unix(), "iss": "https://issuer.example", "aud": "other"}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(t.Context(), tt.tok)
			if tt.ok && (err != nil || got != "alice") {
				t.Fatalf("Verify = %q, %v; want alice", got, err)
			}
			if !tt.ok && err == nil {
				t.Fatalf("accepted as %q", got)
			}
		})
	}
}

// TestJWKSKeyRotation: the issuer publishes a new key and withdraws the old one; the first
// token under the new kid triggers one refresh and passes, the withdrawn key is refused.
func TestJWKSKeyRotation(t *testing.T) {
	t.Parallel()
	a, b, _ := keys(t)
	jwks := newJWKSServer(t, map[string]any{"old": &a.PublicKey})
	v := newVerifier(t, auth.Config{JWKSURL: jwks.URL, JWKSMinRefreshInterval: time.Hour, VerifyTimeout: 2 * time.Second})
	if _, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, a, "old", claimsFor("alice"))); err != nil {
		t.Fatalf("old key before rotation: %v", err)
	}
	hitsBefore := jwks.hits.Load()
	jwks.setKeys(map[string]any{"new": &b.PublicKey})

	if got, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, b, "new", claimsFor("bob"))); err != nil || got != "bob" {
		t.Fatalf("new key after rotation: %q, %v", got, err)
	}
	if n := jwks.hits.Load() - hitsBefore; n != 1 {
		t.Errorf("rotation took %d fetches, want exactly 1", n)
	}
	if got, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, a, "old", claimsFor("alice"))); err == nil {
		t.Fatalf("withdrawn key still accepted (as %q)", got)
	}
	// A token naming the new kid but signed by the withdrawn key is refused too.
	if _, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, a, "new", claimsFor("alice"))); err == nil {
		t.Fatal("old key accepted under the new kid")
	}
}

// TestJWKSDownAtColdStartFailsClosedThenRecovers: the verifier starts while the JWKS answers
// 503, refuses every token, and accepts them once the JWKS is back, without a restart.
func TestJWKSDownAtColdStartFailsClosedThenRecovers(t *testing.T) {
	t.Parallel()
	a, _, ec := keys(t)
	jwks := newJWKSServer(t, map[string]any{"rsa": &a.PublicKey, "ec": &ec.PublicKey})
	jwks.setDown(true)
	v := newVerifier(t, auth.Config{JWKSURL: jwks.URL, JWKSMinRefreshInterval: 100 * time.Millisecond, VerifyTimeout: 2 * time.Second})
	tokens := []string{
		sign(t, jwt.SigningMethodRS256, a, "rsa", claimsFor("alice")),
		sign(t, jwt.SigningMethodES256, ec, "ec", claimsFor("alice")),
		sign(t, jwt.SigningMethodHS256, testHMACSecret, "", claimsFor("alice")),
	}
	for i, tok := range tokens {
		if got, err := v.Verify(t.Context(), tok); err == nil {
			t.Fatalf("token %d accepted as %q while the JWKS is down", i, got)
		}
	}
	jwks.setDown(false)
	deadline := time.Now().Add(hangGuard)
	for {
		_, err := v.Verify(t.Context(), tokens[0])
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("JWKS back but tokens still refused: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := v.Verify(t.Context(), tokens[1]); err != nil {
		t.Errorf("ES256 after recovery: %v", err)
	}
	if _, err := v.Verify(t.Context(), tokens[2]); err == nil {
		t.Error("HS256 accepted by a JWKS-only verifier")
	}
}

// TestJWKSUnknownKidFlood: 200 concurrent tokens with made-up kids are all refused, the issuer
// is fetched a bounded number of times (the unknown-kid refresh is rate limited), and after
// Close no goroutine of the key-set machinery remains.
func TestJWKSUnknownKidFlood(t *testing.T) {
	// Not parallel: it inspects every goroutine of the process.
	a, _, _ := keys(t)
	jwks := newJWKSServer(t, map[string]any{"rsa": &a.PublicKey})
	v, err := auth.NewVerifier(auth.Config{JWKSURL: jwks.URL, VerifyTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, a, "rsa", claimsFor("alice"))); err != nil {
		t.Fatalf("genuine token: %v", err)
	}
	const flood = 200
	var wg sync.WaitGroup
	errs := make(chan error, flood)
	start := time.Now()
	for i := range flood {
		tok := sign(t, jwt.SigningMethodRS256, a, fmt.Sprintf("made-up-%d", i), claimsFor("alice"))
		wg.Go(func() {
			if _, err := v.Verify(t.Context(), tok); err == nil {
				errs <- errors.New("token with an unknown kid accepted")
			} else if !errors.Is(err, auth.ErrInvalidToken) {
				errs <- fmt.Errorf("err = %w, want ErrInvalidToken", err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if elapsed := time.Since(start); elapsed > hangGuard {
		t.Errorf("flood took %v: verifications waited past their deadline", elapsed)
	}
	// One fetch at start, at most one refresh allowed by the rate limiter's burst.
	if n := jwks.hits.Load(); n > 2 {
		t.Errorf("JWKS fetched %d times during the flood, want at most 2", n)
	}
	v.Close()
	assertNoGoroutines(t, "jwkset", "keyfunc")
}

// TestVerifyDeadlineWithSlowJWKS: an unknown kid makes verification fetch the JWKS, which
// hangs; the verification gives up at its own deadline rather than API Gateway's 29 s.
func TestVerifyDeadlineWithSlowJWKS(t *testing.T) {
	t.Parallel()
	a, b, _ := keys(t)
	jwks := newJWKSServer(t, map[string]any{"rsa": &a.PublicKey})
	v := newVerifier(t, auth.Config{JWKSURL: jwks.URL, VerifyTimeout: 300 * time.Millisecond})
	jwks.setDelay(time.Minute)
	done := make(chan error, 1)
	go func() {
		_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, b, "rotated", claimsFor("alice")))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, auth.ErrInvalidToken) {
			t.Fatalf("err = %v, want ErrInvalidToken", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("verification did not honour its deadline while the JWKS hung")
	}
	jwks.setDelay(0)
}

// TestCloseStopsBackgroundRefresh: a verifier with a short refresh interval leaves no
// refresh goroutine once closed.
func TestCloseStopsBackgroundRefresh(t *testing.T) {
	// Not parallel: it inspects every goroutine of the process.
	a, _, _ := keys(t)
	jwks := newJWKSServer(t, map[string]any{"rsa": &a.PublicKey})
	v, err := auth.NewVerifier(auth.Config{JWKSURL: jwks.URL, JWKSRefreshInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(hangGuard)
	for jwks.hits.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	v.Close()
	assertNoGoroutines(t, "jwkset", "keyfunc")
	after := jwks.hits.Load()
	time.Sleep(100 * time.Millisecond) // five refresh intervals: none may happen
	if n := jwks.hits.Load(); n != after {
		t.Errorf("JWKS fetched %d more times after Close", n-after)
	}
}

// assertNoGoroutines waits for goroutines whose stacks mention any of pkgs to end, and fails
// with their stacks if some remain.
func assertNoGoroutines(t *testing.T, pkgs ...string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		stacks := goroutineStacks()
		var left []string
		for _, g := range strings.Split(stacks, "\n\n") {
			for _, p := range pkgs {
				if strings.Contains(g, p) {
					left = append(left, g)
					break
				}
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left behind:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		runtime.Gosched()
		time.Sleep(20 * time.Millisecond)
	}
}

func goroutineStacks() string {
	var buf bytes.Buffer
	_ = pprof.Lookup("goroutine").WriteTo(&buf, 2)
	return buf.String()
}
