package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

// Invoker runs a function synchronously; the host wires its Lambda emulation (or an external
// Lambda Invoke API) here. A failing function is a Result with FunctionError set, not an error.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) (lambdahost.Result, error)
}

// invoke marshals event and runs function within the integration timeout.
func (g *Gateway) invoke(ctx context.Context, function string, event any) (lambdahost.Result, error) {
	payload, err := json.Marshal(event)
	if err != nil {
		return lambdahost.Result{}, fmt.Errorf("gateway: encoding event for %s: %w", function, err)
	}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.IntegrationTimeout)
	defer cancel()
	res, err := g.inv.Invoke(ctx, function, payload)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return lambdahost.Result{}, fmt.Errorf("gateway: invoking %s: %w: %w", function, errIntegrationTimeout, err)
		}
		return lambdahost.Result{}, fmt.Errorf("gateway: invoking %s: %w", function, err)
	}
	return res, nil
}
