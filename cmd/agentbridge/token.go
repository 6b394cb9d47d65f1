package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/protocol"
)

// defaultDevSecret is the HS256 secret `make dev` passes to the template's DevHmacSecret and
// `agentbridge token` signs with. It only ever protects a stack on 127.0.0.1.
const defaultDevSecret = "agentbridge-local-development-secret"

// devSecret is the secret in effect: $AGENTBRIDGE_DEV_SECRET, else defaultDevSecret.
func devSecret() string {
	if s := os.Getenv("AGENTBRIDGE_DEV_SECRET"); s != "" {
		return s
	}
	return defaultDevSecret
}

func runToken(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.String("user", "", "user id the token names (required)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	issuer := fs.String("issuer", "", "iss claim, when the stack checks one")
	audience := fs.String("audience", "", "aud claim, when the stack checks one")
	secret := fs.String("secret", devSecret(), "HS256 secret; the local stack's by default ($AGENTBRIDGE_DEV_SECRET)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: agentbridge token --user ID [--ttl 1h] [--issuer ISS] [--audience AUD]")
		fmt.Fprintln(stderr, "\nPrints a development token that `make dev` accepts.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := protocol.ValidateID(*user); err != nil {
		return fmt.Errorf("--user: %w", err)
	}
	tok, err := auth.SignDevToken([]byte(*secret), auth.DevToken{UserID: *user, Issuer: *issuer, Audience: *audience, TTL: *ttl})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}
