package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	mgmttypes "github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/internal/stack/connstore"
	"github.com/agentbridge/agentbridge/protocol"
)

func TestEmitReachesEveryTabOfOneUserOnly(t *testing.T) {
	tabs := []*client{dial(t, shared, "e2e-alice"), dial(t, shared, "e2e-alice"), dial(t, shared, "e2e-alice")}
	bob := dial(t, shared, "e2e-bob")
	for _, c := range append(tabs, bob) {
		if got := c.Subprotocol(); got != auth.Subprotocol {
			t.Fatalf("handshake echoed %q, want %q only", got, auth.Subprotocol)
		}
	}
	report := emit(t, shared, `{"user_id":"e2e-alice","events":[
		{"type":"agent_started","run_id":"r1","seq":0},
		{"type":"agent_thinking","run_id":"r1","seq":1,"payload":{"text":"hello"}}]}`)
	if want := (protocol.DeliveryReport{Events: 2, Stored: 2, Connections: 3, Delivered: 6}); report != want {
		t.Fatalf("report = %+v, want %+v", report, want)
	}
	for i, c := range tabs {
		first, second := c.next(t), c.next(t)
		if first.Type != protocol.AgentStarted || second.Type != protocol.AgentThinking {
			t.Errorf("tab %d got %s then %s", i, first.Type, second.Type)
		}
	}
	if !bob.silent(t.Context(), 300*time.Millisecond) {
		t.Error("another user's tab received alice's event")
	}
}

func TestBadTokenRefusedWith401AndNothingStored(t *testing.T) {
	before := map[string]bool{}
	for _, m := range mappings(t, shared) {
		before[m.ConnectionID] = true
	}
	for name, tok := range map[string]string{"garbage": "not.a.token", "wrong secret": forgedToken(t), "empty": ""} {
		t.Run(name, func(t *testing.T) {
			c, err := dialToken(t.Context(), shared, tok)
			if err == nil {
				c.CloseNow()
				t.Fatal("handshake succeeded")
			}
			if c.resp == nil || c.resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("handshake answered %v, want 401", c.resp)
			}
		})
	}
	for _, m := range mappings(t, shared) {
		if !before[m.ConnectionID] {
			t.Errorf("a refused handshake stored %+v", m)
		}
	}
}

func forgedToken(t *testing.T) string {
	tok, err := auth.SignDevToken([]byte("not-the-secret"), auth.DevToken{UserID: "mallory"})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// mappings scans the stack's connections table.
func mappings(t testing.TB, h *devhost.Host) []connstore.Connection {
	t.Helper()
	db := dynamodb.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: testCreds}, func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(h.DynamoDBEndpoint())
	})
	table := h.Template().Tables[0].Name
	out, err := db.Scan(t.Context(), &dynamodb.ScanInput{TableName: &table, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	conns := make([]connstore.Connection, 0, len(out.Items))
	for _, item := range out.Items {
		var c connstore.Connection
		if err := attributevalue.UnmarshalMap(item, &c); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	return conns
}

// connectionID learns a client's id the way a client can: an unroutable message's error frame
// names it (the template has no $default route).
func connectionID(t testing.TB, c *client) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"no-such-route"}`)); err != nil {
		t.Fatal(err)
	}
	frame := readJSON(t, c)
	if frame["message"] != "Forbidden" {
		t.Fatalf("unroutable message answered %v, want a Forbidden error frame", frame)
	}
	return frame["connectionId"].(string)
}

func TestManagementAPIThroughTheSDK(t *testing.T) {
	c := dial(t, shared, "e2e-mgmt")
	id := connectionID(t, c)
	api := managementClient(shared)
	ctx := t.Context()

	got, err := api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: &id})
	if err != nil || got.ConnectedAt == nil || got.Identity == nil || aws.ToString(got.Identity.SourceIp) != "127.0.0.1" {
		t.Fatalf("GetConnection = %+v, %v", got, err)
	}
	if _, err := api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte(`{"direct":true}`)}); err != nil {
		t.Fatalf("PostToConnection: %v", err)
	}
	if m := readJSON(t, c); m["direct"] != true {
		t.Fatalf("client received %v", m)
	}
	if _, err := api.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: &id}); err != nil {
		t.Fatalf("DeleteConnection: %v", err)
	}
	var gone *mgmttypes.GoneException
	_, err = api.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte("x")})
	if !errors.As(err, &gone) {
		t.Errorf("post to a deleted connection: %v, want GoneException", err)
	}
	_, err = api.GetConnection(ctx, &apigatewaymanagementapi.GetConnectionInput{ConnectionId: aws.String("bmV2ZXJTZWVuSWQ=")})
	if !errors.As(err, &gone) {
		t.Errorf("get of a never-seen id: %v, want GoneException", err)
	}
	waitFor(t, "the deleted connection's mapping to be removed by $disconnect", func() bool {
		for _, m := range mappings(t, shared) {
			if m.ConnectionID == id {
				return false
			}
		}
		return true
	})
}

func TestManagementEndpointOverHTTPSFromDomainName(t *testing.T) {
	c := dial(t, shared, "e2e-https")
	id := connectionID(t, c)
	pemBytes, err := os.ReadFile(filepath.Join(repoDir, ".build", "e2e", "tls", "localhost.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	httpClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	// What a handler builds from its event: https://{domainName}/{stage}.
	endpoint := "https://" + shared.Addr() + "/" + shared.Stage()
	api := apigatewaymanagementapi.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: testCreds, HTTPClient: httpClient},
		func(o *apigatewaymanagementapi.Options) { o.BaseEndpoint = aws.String(endpoint) })
	if _, err := api.PostToConnection(t.Context(), &apigatewaymanagementapi.PostToConnectionInput{ConnectionId: &id, Data: []byte(`{"tls":true}`)}); err != nil {
		t.Fatalf("post over https://{domainName}/{stage}: %v", err)
	}
	if m := readJSON(t, c); m["tls"] != true {
		t.Fatalf("client received %v", m)
	}
}

func TestClosingTabRemovesMapping(t *testing.T) {
	c := dial(t, shared, "e2e-closer")
	id := connectionID(t, c)
	c.Close(websocket.StatusNormalClosure, "bye")
	waitFor(t, "the closed tab's mapping to be removed", func() bool {
		for _, m := range mappings(t, shared) {
			if m.ConnectionID == id {
				return false
			}
		}
		return true
	})
	if r := emit(t, shared, `{"user_id":"e2e-closer","type":"agent_started","run_id":"r"}`); r.Connections != 0 {
		t.Errorf("emit after close found %d connections", r.Connections)
	}
}

func TestConnectionIDsAreNeverReused(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		c := dial(t, shared, "e2e-churn")
		id := connectionID(t, c)
		if seen[id] {
			t.Fatalf("connection id %s issued twice", id)
		}
		seen[id] = true
		c.CloseNow()
	}
}

func TestInvokeAPISpeaksLambda(t *testing.T) {
	lc := lambdaClient(shared)
	ctx := t.Context()
	_, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("NoSuchFunction"), Payload: []byte("{}")})
	var notFound *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("unknown function: %v, want ResourceNotFoundException", err)
	}
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(`{"user_id":"u","type":"agent_dancing","run_id":"r"}`)})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), `"errorType":"ValidationError"`) {
		t.Errorf("invalid event: %v %v %s, want a ValidationError function error", err, out.FunctionError, out.Payload)
	}
	out, err = lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), InvocationType: lambdatypes.InvocationTypeDryRun})
	if err != nil || out.StatusCode != http.StatusNoContent {
		t.Errorf("DryRun: %v %+v, want 204", err, out)
	}
	c := dial(t, shared, "e2e-async")
	out, err = lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"user_id":"e2e-async","type":"agent_started","run_id":"r"}`)})
	if err != nil || out.StatusCode != http.StatusAccepted {
		t.Fatalf("Event: %v %+v, want 202", err, out)
	}
	if env := c.next(t); env.Type != protocol.AgentStarted {
		t.Errorf("async emit delivered %s", env.Type)
	}
}

func TestIdleConnectionClosesWithGoingAway(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	h, err := startHost(ctx, devhost.Options{IdleTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	c := dial(t, h, "e2e-idle")
	readCtx, readCancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer readCancel()
	_, _, err = c.Read(readCtx)
	if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
		t.Fatalf("idle connection ended with %v (%v), want 1001 Going away", got, err)
	}
	waitFor(t, "the idle connection's mapping to be removed", func() bool { return len(mappings(t, h)) == 0 })
}
