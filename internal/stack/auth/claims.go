package auth

import (
	"encoding/json"
	"errors"
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

// numericDateClaims must be JSON numbers (RFC 7519 §2, NumericDate). golang-jwt v5 decodes
// them through json.Number, which also takes a string holding digits ("exp":"9999999999"), so
// the type is checked here before the library sees the claims. iss, sub and aud need no check
// of their own: the library refuses any that is not a string (aud: or an array of strings).
var numericDateClaims = []string{"exp", "nbf", "iat"}

func (c *tokenClaims) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	for _, name := range numericDateClaims {
		if raw, ok := all[name]; ok && !isJSONNumber(raw) {
			return fmt.Errorf("claim %q is not a number", name)
		}
	}
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
	raw, ok := all[c.userIDClaim]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(raw, &c.userID); err != nil {
		return fmt.Errorf("claim %q is not a string", c.userIDClaim)
	}
	return nil
}

// isJSONNumber reports whether raw (one valid JSON value, as json.Unmarshal hands it over) is
// a number: it starts with a minus sign or a digit, which no other JSON value does.
func isJSONNumber(raw json.RawMessage) bool {
	return len(raw) > 0 && (raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9'))
}

// checkCritical applies RFC 7515 §4.1.11 to the header: a crit parameter lists extensions
// the verifier must understand or refuse the token. This verifier understands none, so any
// crit is refused; the reasons only make the error say what was wrong. golang-jwt v5 does not
// look at crit at all.
func checkCritical(header map[string]any) error {
	crit, ok := header["crit"]
	if !ok {
		return nil
	}
	names, ok := crit.([]any)
	switch {
	case !ok:
		return errors.New(`header "crit" is not an array`)
	case len(names) == 0:
		return errors.New(`header "crit" is empty`)
	}
	for _, n := range names {
		name, ok := n.(string)
		switch {
		case !ok:
			return errors.New(`header "crit" lists a non-string`)
		case registeredHeaders[name]:
			return fmt.Errorf(`header "crit" lists the registered header %q`, name)
		}
	}
	return fmt.Errorf(`header "crit" lists extensions this verifier does not understand: %v`, names)
}

// registeredHeaders are the JWS header names of RFC 7515 §4.1, which crit must not list.
var registeredHeaders = map[string]bool{
	"alg": true, "jku": true, "jwk": true, "kid": true, "x5u": true, "x5c": true,
	"x5t": true, "x5t#S256": true, "typ": true, "cty": true, "crit": true,
}
