package auth

import (
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// DevToken describes a development token.
type DevToken struct {
	UserID   string
	Issuer   string        // optional
	Audience string        // optional
	TTL      time.Duration // default 1h
	Now      time.Time     // default time.Now()
}

// withDefaults returns d with every unset field at its documented default.
func (d DevToken) withDefaults() DevToken {
	if d.TTL == 0 {
		d.TTL = time.Hour
	}
	if d.Now.IsZero() {
		d.Now = time.Now()
	}
	return d
}

// SignDevToken returns an HS256 token for the local stack or tests, signed with secret.
func SignDevToken(secret []byte, d DevToken) (string, error) {
	if len(secret) == 0 {
		return "", fmt.Errorf("sign token: empty secret")
	}
	d = d.withDefaults()
	claims := jwt.RegisteredClaims{
		Subject:   d.UserID,
		Issuer:    d.Issuer,
		IssuedAt:  jwt.NewNumericDate(d.Now),
		ExpiresAt: jwt.NewNumericDate(d.Now.Add(d.TTL)),
	}
	if d.Audience != "" {
		claims.Audience = jwt.ClaimStrings{d.Audience}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}
