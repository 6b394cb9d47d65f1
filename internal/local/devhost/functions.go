package devhost

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
	"github.com/agentbridge/agentbridge/internal/local/samtemplate"
)

// startFunctions builds every function of the template for this platform and registers it
// with a Lambda emulation; with an external Lambda endpoint it does neither.
func (h *Host) startFunctions(ctx context.Context) error {
	if h.opts.LambdaEndpoint != "" {
		return nil
	}
	fns := h.functions()
	if len(fns) == 0 {
		return fmt.Errorf("no function matches %v", h.opts.Only)
	}
	reqs := make([]lambdahost.BuildRequest, len(fns))
	for i, f := range fns {
		reqs[i] = lambdahost.BuildRequest{
			LogicalID: f.LogicalID, CodeURI: f.CodeURI, BuildMethod: f.BuildMethod,
			Handler: f.Handler, Runtime: f.Runtime,
			ArtifactsDir: filepath.Join(h.opts.BuildDir, f.LogicalID),
			Output:       prefixed(h.opts.Output, "build "+f.LogicalID),
		}
	}
	exes, err := lambdahost.BuildAll(ctx, reqs)
	if err != nil {
		return fmt.Errorf("build functions: %w", err)
	}
	h.lambdas = lambdahost.NewHost(lambdahost.Config{
		Logger: h.opts.Logger, Output: h.opts.Output, Region: h.opts.Region,
		CredentialsEnv: h.sharedEnv(), BodyTimeout: h.opts.BodyTimeout,
	})
	for i, f := range fns {
		spec := lambdahost.FunctionSpec{
			Name: f.Name, Aliases: []string{f.LogicalID}, Executable: exes[i],
			Handler: f.Handler, Runtime: f.Runtime, Env: h.functionEnv(f),
			Timeout: f.Timeout, MemoryMB: f.MemoryMB, MaxConcurrency: h.opts.MaxConcurrency,
			LogFormat: f.LogFormat,
		}
		if err := h.lambdas.Register(spec); err != nil {
			return fmt.Errorf("function %s: %w", f.LogicalID, err)
		}
	}
	return nil
}

// functions returns the template's functions in a stable order.
func (h *Host) functions() []*samtemplate.Function {
	var out []*samtemplate.Function
	for _, id := range slices.Sorted(maps.Keys(h.tmpl.Functions)) {
		if len(h.opts.Only) == 0 || slices.Contains(h.opts.Only, id) {
			out = append(out, h.tmpl.Functions[id])
		}
	}
	return out
}

// sharedEnv is what every function gets from the host: credentials and the SDK's standard
// endpoint variables pointing at the local services.
func (h *Host) sharedEnv() map[string]string {
	env := credentialsEnv()
	env["AWS_ENDPOINT_URL_DYNAMODB"] = h.dynamoEP
	env["AWS_ENDPOINT_URL_LAMBDA"] = h.BaseURL()
	env["AWS_CA_BUNDLE"] = h.listener.certFile
	return env
}

// functionEnv is the template's variables with API Gateway's public endpoints of this API
// rewritten to the host, so a function configured for AWS posts to the local @connections.
func (h *Host) functionEnv(f *samtemplate.Function) map[string]string {
	api := h.tmpl.WebSocketAPIs[0]
	remote := api.ID + ".execute-api." + h.opts.Region + ".amazonaws.com"
	r := strings.NewReplacer("https://"+remote, h.BaseURL(), "wss://"+remote, h.WebSocketBase())
	env := make(map[string]string, len(f.Environment))
	for k, v := range f.Environment {
		env[k] = r.Replace(v)
	}
	return env
}
