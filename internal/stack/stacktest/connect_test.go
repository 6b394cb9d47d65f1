package stacktest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
)

func TestConnectAcceptsEachTokenTransport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture      string
		wantProtocol string
	}{
		{"connect-subprotocol.json", auth.Subprotocol},
		{"connect-query.json", ""},
		{"connect-header.json", ""},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			s := newStack(t)
			token := s.token(t, "alice")
			resp, err := s.connect.Handle(t.Context(), s.connectEvent(t, tt.fixture, token, "R1kmxc2VNjMCFIA="))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 {
				t.Fatalf("status = %d, want 200", resp.StatusCode)
			}
			if got := resp.Headers["Sec-WebSocket-Protocol"]; got != tt.wantProtocol {
				t.Errorf("echoed subprotocol = %q, want %q", got, tt.wantProtocol)
			}
			for k, v := range resp.Headers {
				if strings.Contains(v, token) {
					t.Errorf("response header %s carries the token", k)
				}
			}
			rows := s.rows(t)
			if len(rows) != 1 {
				t.Fatalf("stored %d mappings, want 1", len(rows))
			}
			got := rows[0]
			if got.UserID != "alice" || got.ConnectionID != "R1kmxc2VNjMCFIA=" || got.SourceIP != "49.105.91.154" {
				t.Errorf("stored %+v", got)
			}
			wantExpiry := s.now.Add(2*time.Hour + 10*time.Minute).Unix()
			if got.ExpiresAt.Unix() != wantExpiry {
				t.Errorf("expiresAt = %d, want %d", got.ExpiresAt.Unix(), wantExpiry)
			}
		})
	}
}

func TestConnectRefusesBadTokensAndWritesNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	now := s.now
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	valid := jwt.MapClaims{"sub": "alice", "exp": now.Add(time.Hour).Unix()}
	tests := []struct {
		name, fixture, token string
	}{
		{"no token", "connect-no-token.json", ""},
		{"garbage", "connect-query.json", "not-a-jwt"},
		{"wrong secret", "connect-query.json", sign(jwt.SigningMethodHS256, []byte("other"), valid)},
		{"expired", "connect-query.json", sign(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "alice", "exp": now.Add(-time.Hour).Unix()})},
		{"no exp", "connect-query.json", sign(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "alice"})},
		{"alg none", "connect-query.json", sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid)},
		{"HS512 not allowed", "connect-query.json", sign(jwt.SigningMethodHS512, testSecret, valid)},
		{"user id with space", "connect-query.json", sign(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "alice ", "exp": now.Add(time.Hour).Unix()})},
		{"empty user id", "connect-query.json", sign(jwt.SigningMethodHS256, testSecret, jwt.MapClaims{"sub": "", "exp": now.Add(time.Hour).Unix()})},
		{"oversized", "connect-query.json", strings.Repeat("a", 9000)},
		{"bad token in subprotocol", "connect-subprotocol.json", "x.y.z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := s.connect.Handle(t.Context(), s.connectEvent(t, tt.fixture, tt.token, "AAAAAAAAAAAAAA0="))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 401 {
				t.Errorf("status = %d, want 401", resp.StatusCode)
			}
			if resp.Headers["Sec-WebSocket-Protocol"] != "" {
				t.Errorf("refused handshake echoed a subprotocol")
			}
		})
	}
	if rows := s.rows(t); len(rows) != 0 {
		t.Errorf("refused connects wrote %d mappings", len(rows))
	}
}

func TestConnectIsIdempotent(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", "R1kmxc2VNjMCFIA=")
	s.connectAs(t, "alice", "R1kmxc2VNjMCFIA=")
	if rows := s.rows(t); len(rows) != 1 {
		t.Errorf("a retried connect left %d mappings, want 1", len(rows))
	}
}

func TestDisconnectRemovesMappingAndIsIdempotent(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.connectAs(t, "alice", "R1kmxc2VNjMCFIA=")
	s.connectAs(t, "alice", "R1kmxc2VNjMCFIB=")
	ev := s.connectEvent(t, "disconnect.json", "", "R1kmxc2VNjMCFIA=")
	for i := range 2 {
		resp, err := s.disconnect.Handle(t.Context(), ev)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("disconnect #%d: status %d, err %v", i+1, resp.StatusCode, err)
		}
	}
	rows := s.rows(t)
	if len(rows) != 1 || rows[0].ConnectionID != "R1kmxc2VNjMCFIB=" {
		t.Errorf("after disconnect: %+v, want only the other connection", rows)
	}
	ev.RequestContext.ConnectionID = "bmV2ZXJTZWVuSWQ="
	if resp, err := s.disconnect.Handle(t.Context(), ev); err != nil || resp.StatusCode != 200 {
		t.Errorf("unknown id: status %d, err %v; want 200", resp.StatusCode, err)
	}
}
