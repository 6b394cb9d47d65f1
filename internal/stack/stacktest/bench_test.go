package stacktest_test

import (
	"fmt"
	"testing"
)

// BenchmarkConnect measures one $connect through the real handler: token check and a PutItem
// on the DynamoDB-compatible server.
func BenchmarkConnect(b *testing.B) {
	s := newStack(b)
	tok := s.token(b, "bench-user")
	i := 0
	for b.Loop() {
		i++
		ev := s.connectEvent(b, "connect-subprotocol.json", tok, fmt.Sprintf("YmVuY2gtY29ubmVj%d=", i))
		resp, err := s.connect.Handle(b.Context(), ev)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("connect: %d %v", resp.StatusCode, err)
		}
	}
}
