package connstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"
)

func newStore(t *testing.T, now *time.Time) *connstore.Store {
	t.Helper()
	srv := dynamotest.Shared(t)
	return connstore.New(srv.Client(), srv.ConnectionsTable(t), connstore.Options{Now: func() time.Time { return *now }})
}

func TestLiveSkipsExpiredAndOtherUsers(t *testing.T) {
	t.Parallel()
	now := time.Now().Truncate(time.Second)
	s := newStore(t, &now)
	ctx := t.Context()
	put := func(user, id string, expires time.Time) {
		t.Helper()
		if err := s.Put(ctx, connstore.Connection{UserID: user, ConnectionID: id, ConnectedAt: now, ExpiresAt: expires, SourceIP: "10.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	put("alice", "live1", now.Add(time.Hour))
	put("alice", "live2", now.Add(time.Second))
	put("alice", "expired", now)
	put("bob", "bobs", now.Add(time.Hour))

	got, err := s.Live(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, c := range got {
		ids[c.ConnectionID] = true
		if c.UserID != "alice" || c.SourceIP != "10.0.0.1" || !c.ConnectedAt.Equal(now) {
			t.Errorf("read back %+v", c)
		}
	}
	if len(got) != 2 || !ids["live1"] || !ids["live2"] {
		t.Errorf("Live(alice) = %v, want live1 and live2 only", ids)
	}
}

func TestLiveReadsEveryPage(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := newStore(t, &now)
	ctx := t.Context()
	// Items of ~4 KB each push the result past DynamoDB's 1 MB page size.
	const n = 300
	pad := strings.Repeat("x", 4000)
	for i := range n {
		c := connstore.Connection{UserID: "many", ConnectionID: fmt.Sprintf("c%04d", i), SourceIP: pad, ConnectedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.Put(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Live(ctx, "many")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Errorf("Live returned %d connections, want %d", len(got), n)
	}
}

func TestDeleteByConnectionIDIsIdempotent(t *testing.T) {
	t.Parallel()
	now := time.Now()
	s := newStore(t, &now)
	ctx := t.Context()
	for _, user := range []string{"alice", "bob"} {
		if err := s.Put(ctx, connstore.Connection{UserID: user, ConnectionID: user + "-conn", ConnectedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []int{1, 0} {
		n, err := s.DeleteByConnectionID(ctx, "alice-conn")
		if err != nil || n != want {
			t.Fatalf("delete #%d removed %d (%v), want %d", i+1, n, err, want)
		}
	}
	if got, _ := s.Live(ctx, "bob"); len(got) != 1 {
		t.Errorf("deleting alice's connection touched bob's")
	}
	if err := s.Delete(ctx, "nobody", "nothing"); err != nil {
		t.Errorf("deleting a missing mapping: %v", err)
	}
}
