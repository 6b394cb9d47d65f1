package main

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
	"github.com/agentbridge/agentbridge/internal/stack/connect"
)

// connectNoToken is a real $connect capture without credentials: the Connect function answers
// it with 401 after parsing and checking it, touching no DynamoDB, so what is timed is the
// cost of calling the function rather than of the work it does.
//
//go:embed testdata/connect-no-token.json
var connectNoToken []byte

// invokeResult compares calling the Connect handler in-process with invoking it.
type invokeResult struct {
	Samples, ColdSamples int
	Direct               dist // handler.Handle in this process
	Warm                 dist // Invoke API POST -> Runtime API next/response -> answer, warm process
	Cold                 dist // the same on a fresh host: process start and init included
}

func runInvokeOverhead(ctx context.Context, cfg config, h *hostProc, p progress) (invokeResult, error) {
	res := invokeResult{Samples: cfg.S4Samples, ColdSamples: cfg.S4Cold}
	var err error
	if res.Direct, err = directCalls(ctx, cfg.S4Samples); err != nil {
		return res, err
	}
	p.printf("S4: direct p50 %.3f ms", ms(res.Direct.p50()))
	if res.Warm, err = warmInvokes(ctx, h.baseURL(), cfg.S4Samples); err != nil {
		return res, err
	}
	p.printf("S4: warm invoke p50 %.3f ms", ms(res.Warm.p50()))
	if res.Cold, err = coldInvokes(ctx, cfg, cfg.S4Cold); err != nil {
		return res, err
	}
	p.printf("S4: cold invoke p50 %.1f ms", ms(res.Cold.p50()))
	return res, nil
}

// functionEnv is the Connect function's configuration as the template gives it locally.
var functionEnv = map[string]string{
	"CONNECTIONS_TABLE":  connectionsTable,
	"STREAM_TABLE":       "StreamTable",
	"AUTH_HMAC_SECRET":   benchSecret,
	"AUTH_USER_ID_CLAIM": "sub",
}

func directCalls(ctx context.Context, n int) (dist, error) {
	handler, err := connect.New(ctx, func(k string) string { return functionEnv[k] }, nil)
	if err != nil {
		return dist{}, fmt.Errorf("S4: %w", err)
	}
	var lat recorder
	for range n {
		t0 := time.Now()
		// Decoding is part of the call: the runtime decodes every event it hands over.
		var req events.APIGatewayWebsocketProxyRequest
		if err := json.Unmarshal(connectNoToken, &req); err != nil {
			return dist{}, fmt.Errorf("S4: fixture: %w", err)
		}
		resp, err := handler.Handle(ctx, req)
		if _, err2 := json.Marshal(resp); err != nil || err2 != nil || resp.StatusCode != http.StatusUnauthorized {
			return dist{}, fmt.Errorf("S4: direct call: %v %d", err, resp.StatusCode)
		}
		lat.record(time.Since(t0))
	}
	return lat.dist(), nil
}

func warmInvokes(ctx context.Context, base string, n int) (dist, error) {
	client := &http.Client{}
	if _, err := invokeConnect(ctx, client, base); err != nil { // make sure a process is warm
		return dist{}, err
	}
	var lat recorder
	for range n {
		d, err := invokeConnect(ctx, client, base)
		if err != nil {
			return dist{}, err
		}
		lat.record(d)
	}
	return lat.dist(), nil
}

// invokeConnect posts the fixture to the Invoke API and checks the function answered 401.
func invokeConnect(ctx context.Context, client *http.Client, base string) (time.Duration, error) {
	t0 := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/2015-03-31/functions/ConnectFunction/invocations", bytes.NewReader(connectNoToken))
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("S4: invoke: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil || resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte(`"statusCode":401`)) {
		return 0, fmt.Errorf("S4: invoke: status %d, %v", resp.StatusCode, err)
	}
	return d, nil
}

// coldInvokes builds the Connect function once, then for each sample starts a fresh
// lambdahost behind its own Invoke API listener and times its first invoke.
func coldInvokes(ctx context.Context, cfg config, n int) (dist, error) {
	exe, err := lambdahost.Build(ctx, lambdahost.BuildRequest{
		LogicalID: "ConnectFunction", CodeURI: cfg.Root, BuildMethod: "makefile",
		ArtifactsDir: filepath.Join(cfg.WorkDir, "ConnectFunction"),
	})
	if err != nil {
		return dist{}, fmt.Errorf("S4: %w", err)
	}
	var lat recorder
	for range n {
		d, err := coldInvoke(ctx, exe)
		if err != nil {
			return dist{}, err
		}
		lat.record(d)
	}
	return lat.dist(), nil
}

func coldInvoke(ctx context.Context, exe string) (time.Duration, error) {
	lh := lambdahost.NewHost(lambdahost.Config{CredentialsEnv: map[string]string{"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}})
	defer lh.Close()
	if err := lh.Register(lambdahost.FunctionSpec{Name: "ConnectFunction", Executable: exe, Env: functionEnv, Timeout: 10 * time.Second}); err != nil {
		return 0, fmt.Errorf("S4: register: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	srv := &http.Server{Handler: lh.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	return invokeConnect(ctx, &http.Client{}, "http://"+ln.Addr().String())
}
