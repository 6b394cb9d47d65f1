package stacktest_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
	"github.com/agentbridge/agentbridge/internal/testsupport/mgmtapitest"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a slog handler.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestNoTokenInLogs runs the real handlers, logging JSON at debug level into a buffer, for every
// refusal and success case and every token transport, then searches the logs for each token and
// for every 16-character piece of it.
func TestNoTokenInLogs(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.connect.Logger, s.disconnect.Logger, s.emit.Logger = log, log, log
	poster := fanout.NewManagementClient(dynamotest.Shared(t).AWSConfig(), s.mgmt.Endpoint())
	s.emit.Deliverer = fanout.New(s.store, poster, fanout.Options{Now: func() time.Time { return s.now }, Logger: log})

	signed := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	exp := s.now.Add(time.Hour).Unix()
	randomText := func(n int) string {
		b := make([]byte, n)
		_, _ = rand.Read(b)
		return base64.RawURLEncoding.EncodeToString(b)[:n]
	}
	tokens := map[string]string{
		"valid":          s.token(t, "alice"),
		"wrong secret":   signed(jwt.SigningMethodHS256, []byte("not-the-secret"), jwt.MapClaims{"sub": "alice", "exp": exp}),
		"expired":        signed(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "alice", "exp": s.now.Add(-time.Hour).Unix()}),
		"no exp":         signed(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "alice"}),
		"alg none":       signed(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"sub": "alice", "exp": exp}),
		"bad user id":    signed(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "alice " + randomText(20), "exp": exp}),
		"garbage":        randomText(64),
		"garbage 3 part": randomText(30) + "." + randomText(30) + "." + randomText(30),
		"oversized":      randomText(9000),
		"bad json":       base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256",`+randomText(20))) + "." + randomText(40) + "." + randomText(40),
	}
	fixtures := []string{"connect-subprotocol.json", "connect-query.json", "connect-header.json"}
	n := 0
	for name, tok := range tokens {
		for _, fx := range fixtures {
			n++
			connID := base64.StdEncoding.EncodeToString([]byte{byte(n), 1, 2, 3, 4, 5, 6, 7, 8, 9})
			resp, err := s.connect.Handle(t.Context(), s.connectEvent(t, fx, tok, connID))
			if err != nil {
				t.Fatalf("%s via %s: %v", name, fx, err)
			}
			if want := map[bool]int{true: 200, false: 401}[name == "valid"]; resp.StatusCode != want {
				t.Errorf("%s via %s: status %d, want %d", name, fx, resp.StatusCode, want)
			}
			_, _ = s.disconnect.Handle(t.Context(), s.connectEvent(t, "disconnect.json", "", connID))
		}
	}
	// An emit whose payload carries a secret, and a failed post that logs its error.
	s.connectAs(t, "alice", "bG9nLXRlc3QtY29ubg==")
	s.mgmt.FailAlways("bG9nLXRlc3QtY29ubg==", mgmtapitest.Forbidden)
	secretInPayload := "sk-" + randomText(40)
	body, _ := json.Marshal(map[string]any{"user_id": "alice", "type": "tool_executing", "run_id": "r1",
		"payload": map[string]string{"tool": "login", "call_id": secretInPayload}})
	if _, err := s.emit.Handle(t.Context(), body); err != nil {
		t.Fatal(err)
	}
	tokens["emitted secret"] = secretInPayload

	out := logs.String()
	if !strings.Contains(out, "connect refused") || !strings.Contains(out, `"connected"`) || !strings.Contains(out, "post to connection failed") {
		t.Fatalf("the logs do not show the cases ran:\n%s", out)
	}
	for name, tok := range tokens {
		if piece := leakedPiece(out, tok, 16); piece != "" {
			t.Errorf("logs carry part of the %s token: %q", name, piece)
		}
	}
}

// leakedPiece returns the first n-character substring of secret found in logs, or "".
func leakedPiece(logs, secret string, n int) string {
	for i := 0; i+n <= len(secret); i++ {
		if strings.Contains(logs, secret[i:i+n]) {
			return secret[i : i+n]
		}
	}
	return ""
}
