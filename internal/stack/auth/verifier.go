package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"

	"github.com/agentbridge/agentbridge/protocol"
)

// Config selects how tokens are verified. At least one of HMACSecret and JWKSURL is required.
type Config struct {
	// HMACSecret enables HS256 tokens signed with this secret. Meant for development only.
	HMACSecret []byte
	// JWKSURL enables RS256 and ES256 tokens signed by keys published at this URL (Cognito,
	// Auth0, any OIDC issuer).
	JWKSURL string
	// Issuer, when set, must equal the token's iss.
	Issuer string
	// Audience, when set, must be among the token's aud. Cognito ID tokens carry the app
	// client id here; Auth0 and most OIDC issuers the API identifier.
	Audience string
	// ClientIDs, when set, must include the token's client_id claim. Cognito access tokens carry
	// the app client id in client_id and have no aud, so this is their audience check.
	ClientIDs []string
	// TokenUse, when set, must equal the token's token_use claim: "id" or "access" for Cognito.
	TokenUse string
	// UserIDClaim names the claim holding the user id. Default "sub".
	UserIDClaim string
	// Leeway tolerates clock skew on exp, nbf and iat. Default 30s.
	Leeway time.Duration
	// MaxTokenBytes refuses longer tokens before any parsing. Default 8192.
	MaxTokenBytes int
	// VerifyTimeout bounds one verification, key lookups included. Default 3s.
	VerifyTimeout time.Duration
	// JWKSRefreshInterval is how often the key set is refreshed. Default 1h.
	JWKSRefreshInterval time.Duration
	// JWKSMinRefreshInterval is the least time between refreshes triggered by unknown key ids,
	// which protects the issuer from a flood of made-up kids. Default 10s.
	JWKSMinRefreshInterval time.Duration
	// HTTPClient fetches the JWKS. Default: a client with a 5s timeout.
	HTTPClient *http.Client
}

// withDefaults returns cfg with every unset field at its documented default.
func (cfg Config) withDefaults() Config {
	if cfg.UserIDClaim == "" {
		cfg.UserIDClaim = "sub"
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = 30 * time.Second
	}
	if cfg.MaxTokenBytes == 0 {
		cfg.MaxTokenBytes = 8192
	}
	if cfg.VerifyTimeout == 0 {
		cfg.VerifyTimeout = 3 * time.Second
	}
	if cfg.JWKSRefreshInterval == 0 {
		cfg.JWKSRefreshInterval = time.Hour
	}
	if cfg.JWKSMinRefreshInterval == 0 {
		cfg.JWKSMinRefreshInterval = 10 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	return cfg
}

// Errors a verification returns; every one of them means 401. ErrWrongClient and
// ErrWrongTokenUse come wrapped in ErrInvalidToken.
var (
	ErrNoToken       = errors.New("no token presented")
	ErrTokenTooLong  = errors.New("token too long")
	ErrInvalidToken  = errors.New("invalid token")
	ErrWrongClient   = errors.New("client_id is not an accepted app client")
	ErrWrongTokenUse = errors.New("token_use is not the accepted one")
)

// Verifier checks tokens. Create one per process with NewVerifier and Close it when done.
type Verifier struct {
	cfg     Config
	parser  *jwt.Parser
	stopBg  context.CancelFunc
	methods []string

	// jwksReady is closed once the first key-set fetch has ended; nil without JWKSURL.
	jwksReady chan struct{}
	jwks      keyfunc.Keyfunc // written before jwksReady is closed
	jwksErr   error           // likewise
}

// NewVerifier builds a Verifier. With a JWKS URL it starts fetching the key set in the
// background and returns at once, so a slow or unreachable issuer never holds up a function's
// init; the first verifications wait for that fetch, each within its own VerifyTimeout. If the
// fetch fails the Verifier refuses every JWKS token until a later fetch succeeds.
func NewVerifier(cfg Config) (*Verifier, error) {
	cfg = cfg.withDefaults()
	if len(cfg.HMACSecret) == 0 && cfg.JWKSURL == "" {
		return nil, errors.New("auth: configure a JWKS URL or an HMAC secret")
	}
	v := &Verifier{cfg: cfg, stopBg: func() {}}
	if len(cfg.HMACSecret) > 0 {
		v.methods = append(v.methods, jwt.SigningMethodHS256.Alg())
	}
	if cfg.JWKSURL != "" {
		if err := v.startJWKS(); err != nil {
			return nil, err
		}
		v.methods = append(v.methods, jwt.SigningMethodRS256.Alg(), jwt.SigningMethodES256.Alg())
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(v.methods),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(), // iat in the future (beyond Leeway) is refused, as Leeway's comment promises
		jwt.WithLeeway(cfg.Leeway),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	v.parser = jwt.NewParser(opts...)
	return v, nil
}

// startJWKS checks the URL now, so a misconfigured stack still fails at init, and fetches the
// key set in the background.
func (v *Verifier) startJWKS() error {
	if u, err := url.Parse(v.cfg.JWKSURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("auth: JWKS URL %q is not an http(s) URL", v.cfg.JWKSURL)
	}
	ctx, cancel := context.WithCancel(context.Background())
	v.stopBg = cancel
	v.jwksReady = make(chan struct{})
	go func() {
		defer close(v.jwksReady)
		v.jwks, v.jwksErr = v.fetchJWKS(ctx)
	}()
	return nil
}

// fetchJWKS builds the refreshing key set; its first fetch is bounded by VerifyTimeout.
func (v *Verifier) fetchJWKS(ctx context.Context) (keyfunc.Keyfunc, error) {
	noErrorOnFirstFetch := true
	kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{v.cfg.JWKSURL}, keyfunc.Override{
		Client:                    v.cfg.HTTPClient,
		HTTPTimeout:               v.cfg.VerifyTimeout,
		NoErrorReturnFirstHTTPReq: &noErrorOnFirstFetch,
		RefreshInterval:           v.cfg.JWKSRefreshInterval,
		RefreshUnknownKID:         rate.NewLimiter(rate.Every(v.cfg.JWKSMinRefreshInterval), 1),
		// The library logs refresh failures with the default logger; the URL is not secret but
		// the caller decides where logs go, so failures surface as verification errors instead.
		RefreshErrorHandlerFunc: func(string) func(context.Context, error) {
			return func(context.Context, error) {}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("auth: JWKS %s: %w", v.cfg.JWKSURL, err)
	}
	return kf, nil
}

// Close stops the background key refresh.
func (v *Verifier) Close() { v.stopBg() }

// Verify checks token and returns the user id it names.
func (v *Verifier) Verify(ctx context.Context, token string) (string, error) {
	if token == "" {
		return "", ErrNoToken
	}
	if len(token) > v.cfg.MaxTokenBytes {
		return "", ErrTokenTooLong
	}
	ctx, cancel := context.WithTimeout(ctx, v.cfg.VerifyTimeout)
	defer cancel()
	claims := &tokenClaims{userIDClaim: v.cfg.UserIDClaim}
	if _, err := v.parser.ParseWithClaims(token, claims, v.keyFor(ctx)); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err := v.checkClient(claims); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if err := protocol.ValidateID(claims.userID); err != nil {
		return "", fmt.Errorf("%w: claim %q: %w", ErrInvalidToken, v.cfg.UserIDClaim, err)
	}
	return claims.userID, nil
}

// checkClient applies the Cognito-style claims: client_id among ClientIDs, token_use equal to
// TokenUse, each when configured.
func (v *Verifier) checkClient(c *tokenClaims) error {
	if len(v.cfg.ClientIDs) > 0 && !slices.Contains(v.cfg.ClientIDs, c.ClientID) {
		return ErrWrongClient
	}
	if v.cfg.TokenUse != "" && c.TokenUse != v.cfg.TokenUse {
		return ErrWrongTokenUse
	}
	return nil
}

// keyFor picks the key by the token's algorithm, which the parser has already checked against
// the allow-list: the HMAC secret is never offered to an asymmetric token nor a public key to
// an HMAC one, which is what defeats algorithm confusion.
func (v *Verifier) keyFor(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if err := checkCritical(t.Header); err != nil {
			return nil, err
		}
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); ok {
			if len(v.cfg.HMACSecret) == 0 {
				return nil, errors.New("HMAC tokens are not accepted")
			}
			return v.cfg.HMACSecret, nil
		}
		if v.jwksReady == nil {
			return nil, errors.New("no key set configured")
		}
		select {
		case <-v.jwksReady:
		case <-ctx.Done():
			return nil, fmt.Errorf("key set not fetched yet: %w", ctx.Err())
		}
		if v.jwksErr != nil {
			return nil, v.jwksErr
		}
		return v.jwks.KeyfuncCtx(ctx)(t)
	}
}
