package auth

import (
	"encoding/json"
	"fmt"

	"github.com/golang-jwt/jwt/v5"
)

// tokenClaims are the registered claims plus the configured user-id claim, which must be a
// JSON string. Typed claims keep exp, nbf, iss and aud checks in the library's hands.
type tokenClaims struct {
	jwt.RegisteredClaims
	userIDClaim string
	userID      string
}

func (c *tokenClaims) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &c.RegisteredClaims); err != nil {
		return err
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
