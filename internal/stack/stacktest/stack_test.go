package stacktest_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/internal/stack/connect"
	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/internal/stack/disconnect"
	"github.com/agentbridge/agentbridge/internal/stack/emit"
	"github.com/agentbridge/agentbridge/internal/stack/eventstream"
	"github.com/agentbridge/agentbridge/internal/stack/fanout"
	"github.com/agentbridge/agentbridge/internal/stack/stream"
	"github.com/agentbridge/agentbridge/internal/testsupport/dynamotest"

	"github.com/agentbridge/agentbridge/internal/testsupport/mgmtapitest"
)

var testSecret = []byte("handlers-test-secret")

// stack is the handlers wired to a real DynamoDB-compatible server and a management API
// that speaks API Gateway's wire format.
type stack struct {
	db          *dynamodb.Client
	table       string
	store       *connstore.Store
	stream      *eventstream.Store
	streamTable string
	mgmt        *mgmtapitest.Server
	connect     *connect.Handler
	disconnect  *disconnect.Handler
	emit        *emit.Handler
	streamFn    *stream.Handler
	now         time.Time
}

func newStack(t testing.TB) *stack {
	t.Helper()
	srv := dynamotest.Shared(t)
	s := &stack{db: srv.Client(), table: srv.ConnectionsTable(t), mgmt: mgmtapitest.New("prod"), now: time.Now()}
	t.Cleanup(s.mgmt.Close)
	clock := func() time.Time { return s.now }
	s.store = connstore.New(s.db, s.table, connstore.Options{Now: clock})
	s.streamTable = srv.StreamTable(t)
	s.stream = eventstream.New(s.db, s.streamTable, eventstream.Options{Now: clock})
	verifier, err := auth.NewVerifier(auth.Config{HMACSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	s.connect = &connect.Handler{Verifier: verifier, Store: s.store, Owners: s.stream, TTL: 2*time.Hour + 10*time.Minute, Now: clock}
	s.disconnect = &disconnect.Handler{Store: s.store}
	poster := fanout.NewManagementClient(srv.AWSConfig(), s.mgmt.Endpoint())
	s.streamFn = &stream.Handler{Stream: s.stream, Poster: poster}
	s.emit = &emit.Handler{Deliverer: fanout.New(s.store, poster, fanout.Options{Now: clock}), Stream: s.stream, Now: clock}
	return s
}

// connectEvent loads an event fixture with token and connection id filled in. The connect
// time is a minute before the stack's clock, so the connection is past its $connect.
func (s *stack) connectEvent(t testing.TB, fixture, token, connID string) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", fixture))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(raw), "{{TOKEN}}", token)), &req); err != nil {
		t.Fatal(err)
	}
	req.RequestContext.ConnectionID = connID
	req.RequestContext.ConnectedAt = s.now.Add(-time.Minute).UnixMilli()
	return req
}

func (s *stack) token(t testing.TB, user string) string {
	t.Helper()
	tok, err := auth.SignDevToken(testSecret, auth.DevToken{UserID: user, Now: s.now})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// connectAs opens a mapping for user through the real $connect handler.
func (s *stack) connectAs(t *testing.T, user, connID string) {
	t.Helper()
	resp, err := s.connect.Handle(t.Context(), s.connectEvent(t, "connect-query.json", s.token(t, user), connID))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("connect %s as %s: status %d, err %v", connID, user, resp.StatusCode, err)
	}
}

// rows returns every mapping in the table.
func (s *stack) rows(t *testing.T) []connstore.Connection {
	t.Helper()
	out, err := s.db.Scan(t.Context(), &dynamodb.ScanInput{TableName: &s.table, ConsistentRead: new(true)})
	if err != nil {
		t.Fatal(err)
	}
	var conns []connstore.Connection
	for _, item := range out.Items {
		var c connstore.Connection
		if err := attributevalue.UnmarshalMap(item, &c); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	return conns
}
