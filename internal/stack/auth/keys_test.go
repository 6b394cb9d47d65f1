package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Keys are generated once per test binary: RSA generation is slow under the race detector.
var (
	keysOnce         sync.Once
	rsaKeyA, rsaKeyB *rsa.PrivateKey
	ecKey            *ecdsa.PrivateKey
	errKeys          error
	testHMACSecret   = []byte("auth-test-development-secret")
)

func keys(t testing.TB) (a, b *rsa.PrivateKey, ec *ecdsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		if rsaKeyA, errKeys = rsa.GenerateKey(rand.Reader, 2048); errKeys != nil {
			return
		}
		if rsaKeyB, errKeys = rsa.GenerateKey(rand.Reader, 2048); errKeys != nil {
			return
		}
		ecKey, errKeys = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	})
	if errKeys != nil {
		t.Fatal(errKeys)
	}
	return rsaKeyA, rsaKeyB, ecKey
}

// sign returns a token of claims signed by key with method, carrying kid when not empty.
func sign(t testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// claimsFor is a valid claim set for user, expiring in an hour.
func claimsFor(user string) jwt.MapClaims {
	return jwt.MapClaims{"sub": user, "exp": time.Now().Add(time.Hour).Unix()}
}

func publicPEM(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// jwksServer publishes a JWKS over real HTTP on 127.0.0.1, counts fetches, and can be taken
// down, slowed or given a new key set while a Verifier uses it.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int64

	mu    sync.Mutex
	keys  map[string]any // kid -> public key
	down  bool
	delay time.Duration
}

func newJWKSServer(t testing.TB, keys map[string]any) *jwksServer {
	t.Helper()
	s := &jwksServer{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(keys map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *jwksServer) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *jwksServer) setDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

func (s *jwksServer) serve(w http.ResponseWriter, r *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	keys, down, delay := s.keys, s.down, s.delay
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if down {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	set := jwkset.NewMemoryStorage()
	for kid, pub := range keys {
		alg := jwkset.AlgRS256
		if _, ok := pub.(*ecdsa.PublicKey); ok {
			alg = jwkset.AlgES256
		}
		jwk, err := jwkset.NewJWKFromKey(pub, jwkset.JWKOptions{Metadata: jwkset.JWKMetadataOptions{KID: kid, ALG: alg, USE: jwkset.UseSig}})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := set.KeyWrite(r.Context(), jwk); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	body, err := set.JSONPublic(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}
