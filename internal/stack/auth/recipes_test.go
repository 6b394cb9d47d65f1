package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

// The recipes README "Production auth" documents, each against tokens shaped as that issuer
// mints them, signed by locally generated keys published on a local JWKS server. Each recipe
// accepts its own token and refuses the near misses a misconfiguration would let through.

const (
	cognitoPool   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TESTPOOL"
	cognitoClient = "3n4b5urk1ft4fl3mg5e62d9ado"
	otherClient   = "7ua8q2lsb1m4fv1n3yk2e8h0cd"
	auth0Issuer   = "https://agentbridge-test.eu.auth0.com/"
	auth0API      = "https://api.agentbridge.example"
	oidcIssuer    = "https://login.example.com/realms/agents"
)

func TestAuthRecipes(t *testing.T) {
	a, _, ec := keys(t)
	jwks := newJWKSServer(t, map[string]any{"rsa": &a.PublicKey, "ec": &ec.PublicKey})
	now := time.Now()
	exp, iat := now.Add(time.Hour).Unix(), now.Add(-time.Minute).Unix()

	cognitoID := func(over jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "5f6e7d8c-aaaa-bbbb-cccc-0123456789ab", "iss": cognitoPool, "aud": cognitoClient,
			"token_use": "id", "cognito:username": "alice", "email": "alice@example.com", "auth_time": iat, "iat": iat, "exp": exp}
		return merge(c, over)
	}
	cognitoAccess := func(over jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "5f6e7d8c-aaaa-bbbb-cccc-0123456789ab", "iss": cognitoPool, "client_id": cognitoClient,
			"token_use": "access", "scope": "openid email", "username": "alice", "auth_time": iat, "iat": iat, "exp": exp}
		return merge(c, over)
	}
	auth0 := func(over jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "auth0|64f1c2e3d4b5a6978", "iss": auth0Issuer, "aud": []string{auth0API, "https://agentbridge-test.eu.auth0.com/userinfo"},
			"azp": "Xyz123", "scope": "openid profile", "iat": iat, "exp": exp}
		return merge(c, over)
	}
	oidc := func(over jwt.MapClaims) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "f:1234:alice", "preferred_username": "alice", "iss": oidcIssuer, "aud": "agentbridge", "iat": iat, "exp": exp}
		return merge(c, over)
	}

	type tokenCase struct {
		name   string
		claims jwt.MapClaims
		want   string // user id; "" for refused
		reason string // RefusalReason when refused
	}
	recipes := []struct {
		name   string
		cfg    auth.Config
		tokens []tokenCase
	}{
		{
			name: "Cognito ID tokens",
			cfg:  auth.Config{Issuer: cognitoPool, Audience: cognitoClient, TokenUse: "id"},
			tokens: []tokenCase{
				{"ID token", cognitoID(nil), "5f6e7d8c-aaaa-bbbb-cccc-0123456789ab", ""},
				{"ID token of another app client", cognitoID(jwt.MapClaims{"aud": otherClient}), "", auth.ReasonWrongAudience},
				{"access token", cognitoAccess(nil), "", auth.ReasonMissingClaim},
				{"ID token from another pool", cognitoID(jwt.MapClaims{"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OTHER"}), "", auth.ReasonWrongIssuer},
				{"expired", cognitoID(jwt.MapClaims{"exp": now.Add(-time.Hour).Unix()}), "", auth.ReasonExpired},
			},
		},
		{
			name: "Cognito access tokens",
			cfg:  auth.Config{Issuer: cognitoPool, ClientIDs: []string{cognitoClient}, TokenUse: "access"},
			tokens: []tokenCase{
				{"access token", cognitoAccess(nil), "5f6e7d8c-aaaa-bbbb-cccc-0123456789ab", ""},
				{"access token of another app client", cognitoAccess(jwt.MapClaims{"client_id": otherClient}), "", auth.ReasonWrongClient},
				{"ID token (no client_id)", cognitoID(nil), "", auth.ReasonWrongClient},
				{"ID token carrying our client_id", cognitoID(jwt.MapClaims{"client_id": cognitoClient}), "", auth.ReasonWrongTokenUse},
				{"client_id not a string", cognitoAccess(jwt.MapClaims{"client_id": 42}), "", auth.ReasonInvalid},
			},
		},
		{
			name: "Cognito access tokens with the username as user id",
			cfg:  auth.Config{Issuer: cognitoPool, ClientIDs: []string{otherClient, cognitoClient}, TokenUse: "access", UserIDClaim: "username"},
			tokens: []tokenCase{
				{"access token", cognitoAccess(nil), "alice", ""},
			},
		},
		{
			name: "Auth0",
			cfg:  auth.Config{Issuer: auth0Issuer, Audience: auth0API},
			tokens: []tokenCase{
				{"API access token", auth0(nil), "auth0|64f1c2e3d4b5a6978", ""},
				{"token for another API", auth0(jwt.MapClaims{"aud": "https://other.example"}), "", auth.ReasonWrongAudience},
				{"issuer without the trailing slash", auth0(jwt.MapClaims{"iss": "https://agentbridge-test.eu.auth0.com"}), "", auth.ReasonWrongIssuer},
			},
		},
		{
			name: "generic OIDC issuer",
			cfg:  auth.Config{Issuer: oidcIssuer, Audience: "agentbridge", UserIDClaim: "preferred_username"},
			tokens: []tokenCase{
				{"ID token", oidc(nil), "alice", ""},
				{"audience of another client", oidc(jwt.MapClaims{"aud": "grafana"}), "", auth.ReasonWrongAudience},
				{"no audience", oidc(jwt.MapClaims{"aud": nil}), "", auth.ReasonMissingClaim},
			},
		},
	}
	for _, r := range recipes {
		t.Run(r.name, func(t *testing.T) {
			cfg := r.cfg
			cfg.JWKSURL = jwks.URL
			v := newVerifier(t, cfg)
			for _, tc := range r.tokens {
				for _, signer := range []struct {
					kid    string
					method jwt.SigningMethod
					key    any
				}{{"rsa", jwt.SigningMethodRS256, a}, {"ec", jwt.SigningMethodES256, ec}} {
					claims := jwt.MapClaims{}
					for k, val := range tc.claims {
						if val != nil {
							claims[k] = val
						}
					}
					got, err := v.Verify(t.Context(), sign(t, signer.method, signer.key, signer.kid, claims))
					switch {
					case tc.want != "" && (err != nil || got != tc.want):
						t.Errorf("%s (%s): Verify = %q, %v; want %q", tc.name, signer.kid, got, err, tc.want)
					case tc.want == "" && err == nil:
						t.Errorf("%s (%s): accepted as %q", tc.name, signer.kid, got)
					case tc.want == "" && !errors.Is(err, auth.ErrInvalidToken):
						t.Errorf("%s (%s): err = %v, want ErrInvalidToken", tc.name, signer.kid, err)
					case tc.want == "" && auth.RefusalReason(err) != tc.reason:
						t.Errorf("%s (%s): reason %q (%v), want %q", tc.name, signer.kid, auth.RefusalReason(err), err, tc.reason)
					}
				}
			}
		})
	}
}

// TestVerifierStartsWhileJWKSHangs: NewVerifier returns while the issuer has not answered,
// so a slow issuer cannot hold up a function's init; the first verification waits for the
// key set within its own deadline and passes once the issuer answers.
func TestVerifierStartsWhileJWKSHangs(t *testing.T) {
	a, _, _ := keys(t)
	jwks := newJWKSServer(t, map[string]any{"rsa": &a.PublicKey})
	release := make(chan struct{})
	jwks.setGate(release)
	v := newVerifier(t, auth.Config{JWKSURL: jwks.URL, VerifyTimeout: hangGuard})
	// NewVerifier has returned with the first fetch still held at the server.
	done := make(chan error, 1)
	go func() {
		_, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, a, "rsa", claimsFor("alice")))
		done <- err
	}()
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("first verification after the key set arrived: %v", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("verification never finished")
	}
}

func TestNewVerifierRefusesAMalformedJWKSURL(t *testing.T) {
	for _, u := range []string{"jwks.json", "ftp://issuer/jwks", "https://", "://x"} {
		if _, err := auth.NewVerifier(auth.Config{JWKSURL: u}); err == nil {
			t.Errorf("JWKS URL %q accepted", u)
		}
	}
}

// TestRefusalReasonsOfKeys: a token no published key can check is told apart from one whose
// signature is wrong, because a burst of the first points at the issuer's key set.
func TestRefusalReasonsOfKeys(t *testing.T) {
	a, unpublished, _ := keys(t)
	jwks := newJWKSServer(t, map[string]any{"rsa": &a.PublicKey})
	v := newVerifier(t, auth.Config{JWKSURL: jwks.URL, JWKSMinRefreshInterval: time.Hour})
	tests := []struct {
		name, token, reason string
	}{
		{"unknown kid", sign(t, jwt.SigningMethodRS256, a, "rotated-away", claimsFor("alice")), auth.ReasonUnknownKey},
		{"HS256 to a JWKS verifier", sign(t, jwt.SigningMethodHS256, testHMACSecret, "", claimsFor("alice")), auth.ReasonBadSignature},
		{"wrong key under a published kid", sign(t, jwt.SigningMethodRS256, unpublished, "rsa", claimsFor("alice")), auth.ReasonBadSignature},
		{"no token", "", auth.ReasonNoToken},
	}
	for _, tt := range tests {
		_, err := v.Verify(t.Context(), tt.token)
		if got := auth.RefusalReason(err); got != tt.reason {
			t.Errorf("%s: reason %q (%v), want %q", tt.name, got, err, tt.reason)
		}
	}
}

func merge(base, over jwt.MapClaims) jwt.MapClaims {
	for k, v := range over {
		base[k] = v
	}
	return base
}
