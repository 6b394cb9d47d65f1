package lambdahost

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// sdkClient is the real aws-sdk-go-v2 Lambda client pointed at the host's
// Invoke API on a loopback listener.
func sdkClient(t *testing.T, h *Host) *lambda.Client {
	srv := httptest.NewServer(h.Handler())
	t.Cleanup(srv.Close)
	return lambda.New(lambda.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		BaseEndpoint: aws.String(srv.URL),
		Retryer:      aws.NopRetryer{},
	})
}

// paddedEvent is a valid JSON event of exactly n bytes.
func paddedEvent(n int) []byte {
	head, tail := `{"action":"size","pad":"`, `"}`
	return []byte(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

func TestInvokeAPIWithTheSDK(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "agentbridge-emit", Aliases: []string{"EmitFunction"}})
	c := sdkClient(t, h)
	ctx := t.Context()

	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), Payload: []byte(`{"action":"echo","data":"hi"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var rep fnReply
	_ = json.Unmarshal(out.Payload, &rep)
	if out.StatusCode != http.StatusOK || rep.Data != "hi" || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Fatalf("RequestResponse = %d %s fe=%v v=%v", out.StatusCode, out.Payload, out.FunctionError, out.ExecutedVersion)
	}
	if id, _ := middleware.GetRequestIDMetadata(out.ResultMetadata); id == "" {
		t.Error("no X-Amzn-RequestId")
	}

	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("agentbridge-emit"), Payload: []byte(`{"action":"error"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != http.StatusOK || aws.ToString(out.FunctionError) != "Unhandled" ||
		!strings.Contains(string(out.Payload), `"errorType":"errorString"`) {
		t.Fatalf("function error = %d %v %s", out.StatusCode, out.FunctionError, out.Payload)
	}

	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"action":"echo"}`)})
	if err != nil || out.StatusCode != http.StatusAccepted {
		t.Fatalf("Event = %v %v", out, err)
	}
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != http.StatusNoContent {
		t.Fatalf("DryRun = %v %v", out, err)
	}

	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("EmitFunction"), LogType: types.LogTypeTail, Payload: []byte(`{"action":"print","data":"tail"}`)})
	if err != nil {
		t.Fatal(err)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(tail), "START RequestId: ") {
		t.Fatalf("log tail = %q", tail)
	}
}

func TestInvokeAPIFunctionNames(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "agentbridge-emit", Aliases: []string{"EmitFunction"}})
	c := sdkClient(t, h)
	cases := []struct {
		name, qualifier string
		found           bool
	}{
		{"EmitFunction", "", true},
		{"agentbridge-emit", "$LATEST", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:agentbridge-emit", "", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:agentbridge-emit:$LATEST", "", true},
		{"123456789012:function:EmitFunction", "", true},
		{"EmitFunction", "live", false},
		{"OtherFunction", "", false},
	}
	for _, tc := range cases {
		in := &lambda.InvokeInput{FunctionName: aws.String(tc.name), Payload: []byte(`{"action":"echo"}`)}
		if tc.qualifier != "" {
			in.Qualifier = aws.String(tc.qualifier)
		}
		_, err := c.Invoke(t.Context(), in)
		var nf *types.ResourceNotFoundException
		switch {
		case tc.found && err != nil:
			t.Errorf("%s (%s): %v", tc.name, tc.qualifier, err)
		case !tc.found && !errors.As(err, &nf):
			t.Errorf("%s (%s): got %v, want *types.ResourceNotFoundException", tc.name, tc.qualifier, err)
		}
	}
	got, err := c.GetFunction(t.Context(), &lambda.GetFunctionInput{FunctionName: aws.String("EmitFunction")})
	if err != nil || aws.ToString(got.Configuration.FunctionName) != "agentbridge-emit" {
		t.Fatalf("GetFunction = %+v, %v", got, err)
	}
}

func TestInvokeAPIPayloadLimits(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "Sized"})
	c := sdkClient(t, h)
	cases := []struct {
		typ  types.InvocationType
		size int
		ok   bool
	}{
		{types.InvocationTypeRequestResponse, MaxSyncPayload, true},
		{types.InvocationTypeRequestResponse, MaxSyncPayload + 1, false},
		{types.InvocationTypeEvent, MaxAsyncPayload, true},
		{types.InvocationTypeEvent, MaxAsyncPayload + 1, false},
	}
	for _, tc := range cases {
		out, err := c.Invoke(t.Context(), &lambda.InvokeInput{
			FunctionName: aws.String("Sized"), InvocationType: tc.typ, Payload: paddedEvent(tc.size)})
		var tooLarge *types.RequestTooLargeException
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s %d bytes: %v", tc.typ, tc.size, err)
		case tc.ok && out.FunctionError != nil:
			t.Errorf("%s %d bytes: function error %s", tc.typ, tc.size, out.Payload)
		case !tc.ok && !errors.As(err, &tooLarge):
			t.Errorf("%s %d bytes: got %v, want *types.RequestTooLargeException", tc.typ, tc.size, err)
		}
	}
}

func TestInvokeAPIBadRequests(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "Strict"})
	c := sdkClient(t, h)
	_, err := c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("Strict"), InvocationType: "Sometimes"})
	var bad *types.InvalidParameterValueException
	if !errors.As(err, &bad) {
		t.Errorf("unknown invocation type: got %v, want *types.InvalidParameterValueException", err)
	}
	_, err = c.Invoke(t.Context(), &lambda.InvokeInput{FunctionName: aws.String("Strict"), Payload: []byte("not json")})
	var content *types.InvalidRequestContentException
	if !errors.As(err, &content) {
		t.Errorf("non-JSON payload: got %v, want *types.InvalidRequestContentException", err)
	}
}
