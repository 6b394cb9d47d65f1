package lambdahost

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

func TestProcessEnvironmentIsLambdas(t *testing.T) {
	t.Setenv("LAMBDAHOST_HOST_ONLY", "must not leak")
	h := newHost(t, Config{
		Region:         "eu-west-1",
		CredentialsEnv: map[string]string{"AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1"},
	}, FunctionSpec{
		Name: "agentbridge-emit", Aliases: []string{"EmitFunction"}, MemoryMB: 256, LogFormat: "JSON",
		Env: map[string]string{"TABLE_NAME": "connections", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:2"},
	})
	env := invoke(t, h, "EmitFunction", `{"action":"env"}`).Env

	want := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":        "agentbridge-emit",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_REGION":                      "eu-west-1",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"_HANDLER":                        "bootstrap",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/agentbridge-emit",
		"LAMBDA_TASK_ROOT":                filepath.Dir(testFn),
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"TZ":                              ":UTC",
		"TABLE_NAME":                      "connections",
		"AWS_ACCESS_KEY_ID":               "AKIDLOCAL",
		"AWS_ENDPOINT_URL_DYNAMODB":       "http://127.0.0.1:2", // the function's own value wins
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+$`).MatchString(env["AWS_LAMBDA_RUNTIME_API"]) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	if _, leaked := env["LAMBDAHOST_HOST_ONLY"]; leaked {
		t.Error("the host environment leaked into the function")
	}
}

func TestDeadlineAndContextHeaders(t *testing.T) {
	t.Parallel()
	const timeout = 7 * time.Second
	h := newHost(t, Config{}, FunctionSpec{Name: "Clock", Timeout: timeout})
	before := time.Now()
	r := invoke(t, h, "arn:aws:lambda:us-east-1:123456789012:function:Clock", `{"action":"echo"}`)
	after := time.Now()
	deadline := time.UnixMilli(r.DeadlineMS)
	lo, hi := before.Add(timeout).Truncate(time.Millisecond), after.Add(timeout)
	if deadline.Before(lo) || deadline.After(hi) {
		t.Fatalf("function saw deadline %v, want between %v and %v", deadline, lo, hi)
	}
	if r.ARN != "arn:aws:lambda:us-east-1:123456789012:function:Clock" {
		t.Fatalf("invoked function ARN = %q", r.ARN)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(r.RequestID) {
		t.Fatalf("request id = %q", r.RequestID)
	}
}
