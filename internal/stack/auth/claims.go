package auth

import (
	"encoding/json"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// tokenClaims are the registered claims, Cognito's client_id and token_use, and the configured
// user-id claim, which must be a JSON string. Typed claims keep exp, nbf, iss and aud checks in
// the library's hands.
type tokenClaims struct {
	jwt.RegisteredClaims
	cognitoClaims
	userIDClaim string
	userID      string
}

// cognitoClaims are what Cognito access tokens carry instead of aud.
type cognitoClaims struct {
	ClientID string `json:"client_id"`
	TokenUse string `json:"token_use"`
}

func (c *tokenClaims) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &c.RegisteredClaims); err != nil {
		return err
	}
	if err := json.Unmarshal(b, &c.cognitoClaims); err != nil {
		return fmt.Errorf("client_id and token_use must be strings: %w", err)
	}
	if c.userIDClaim == "sub" {
		c.userID = c.Subject
		return nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	raw, ok := all[c.userIDClaim]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, &c.userID); err != nil {
		return fmt.Errorf("claim %q is not a string", c.userIDClaim)
	}
	return nil
}
