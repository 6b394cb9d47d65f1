package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/internal/local/devhost"
	"github.com/agentbridge/agentbridge/internal/stack/auth"
	"github.com/agentbridge/agentbridge/protocol"
)

var testCreds = credentials.NewStaticCredentialsProvider("local", "local", "")

func token(t testing.TB, user string) string {
	t.Helper()
	tok, err := auth.SignDevToken([]byte(testSecret), auth.DevToken{UserID: user})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// client is a browser tab: a WebSocket connected with the agentbridge subprotocol.
type client struct {
	*websocket.Conn
	resp *http.Response
}

// dial connects as user, offering the token as a subprotocol like a browser does.
func dial(t testing.TB, h *devhost.Host, user string) *client {
	t.Helper()
	c, err := dialToken(t.Context(), h, token(t, user))
	if err != nil {
		t.Fatalf("dial as %s: %v", user, err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func dialToken(ctx context.Context, h *devhost.Host, tok string) (*client, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, h.WebSocketURL(), &websocket.DialOptions{
		Subprotocols: []string{auth.Subprotocol, "bearer." + tok},
	})
	if err != nil {
		return &client{resp: resp}, err
	}
	conn.SetReadLimit(1 << 20)
	return &client{Conn: conn, resp: resp}, nil
}

// next reads one envelope, failing the test after a generous hang guard.
func (c *client) next(t testing.TB) protocol.Envelope {
	t.Helper()
	env, err := readEnvelope(t.Context(), c)
	if err != nil {
		t.Fatalf("read envelope: %v", err)
	}
	return env
}

// silent reports whether nothing arrives within wait. Used only to show absence after a
// synchronous emit has already returned its report, so the wait is a courtesy, not a race.
func (c *client) silent(ctx context.Context, wait time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	_, _, err := c.Read(ctx)
	return errors.Is(err, context.DeadlineExceeded)
}

func lambdaClient(h *devhost.Host) *lambda.Client {
	return lambda.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: testCreds}, func(o *lambda.Options) {
		o.BaseEndpoint = aws.String(h.BaseURL())
	})
}

func managementClient(h *devhost.Host) *apigatewaymanagementapi.Client {
	return apigatewaymanagementapi.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: testCreds}, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(h.ManagementEndpoint())
	})
}

// emit invokes EmitFunction through the Lambda Invoke API and returns its report.
func emit(t testing.TB, h *devhost.Host, body string) protocol.DeliveryReport {
	t.Helper()
	out, err := lambdaClient(h).Invoke(t.Context(), &lambda.InvokeInput{
		FunctionName: aws.String("EmitFunction"), Payload: []byte(body),
	})
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	if out.FunctionError != nil {
		t.Fatalf("emit failed: %s", out.Payload)
	}
	var r protocol.DeliveryReport
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("report %q: %v", out.Payload, err)
	}
	return r
}

// readEnvelope is next without a testing.TB, for reader goroutines.
func readEnvelope(ctx context.Context, c *client) (protocol.Envelope, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var env protocol.Envelope
	_, data, err := c.Read(ctx)
	if err != nil {
		return env, err
	}
	return env, json.Unmarshal(data, &env)
}
