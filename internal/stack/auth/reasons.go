package auth

import (
	"errors"

	"github.com/golang-jwt/jwt/v5"
)

// Refusal reasons: a fixed set, fit for a metric dimension and a log field.
const (
	ReasonNoToken       = "no_token"
	ReasonTooLong       = "too_long"
	ReasonExpired       = "expired"
	ReasonMissingClaim  = "missing_claim"
	ReasonWrongAudience = "wrong_audience"
	ReasonWrongIssuer   = "wrong_issuer"
	ReasonWrongClient   = "wrong_client"
	ReasonWrongTokenUse = "wrong_token_use"
	ReasonBadSignature  = "bad_signature"
	ReasonUnknownKey    = "unknown_key"
	ReasonInvalid       = "invalid"
)

// RefusalReason names why Verify refused a token. Audience, issuer and client mismatches are
// told apart because each points at a configuration mistake rather than at an attacker.
func RefusalReason(err error) string {
	switch {
	case errors.Is(err, ErrNoToken):
		return ReasonNoToken
	case errors.Is(err, ErrTokenTooLong):
		return ReasonTooLong
	case errors.Is(err, jwt.ErrTokenExpired):
		return ReasonExpired
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return ReasonMissingClaim
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return ReasonWrongAudience
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return ReasonWrongIssuer
	case errors.Is(err, ErrWrongClient):
		return ReasonWrongClient
	case errors.Is(err, ErrWrongTokenUse):
		return ReasonWrongTokenUse
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return ReasonBadSignature
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		// No key to check it with: a kid the key set lacks, or the key set not fetched (issuer
		// down). Many of these at once point at the JWKS.
		return ReasonUnknownKey
	default:
		return ReasonInvalid
	}
}
