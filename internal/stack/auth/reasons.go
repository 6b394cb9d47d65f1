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
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return ReasonBadSignature
	default:
		return ReasonInvalid
	}
}
