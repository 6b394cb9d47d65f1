package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// InvokeResult is what a function returned.
type InvokeResult struct {
	// Payload is the function's response, or its error document when FunctionError is set.
	Payload []byte
	// FunctionError is non-empty when the function failed (Lambda's X-Amz-Function-Error).
	FunctionError string
}

// Invoker runs a function synchronously; the host wires its Lambda emulation here.
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) (InvokeResult, error)
}

// functionError is Lambda's error document, {"errorMessage": ..., "errorType": ...}.
type functionError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// invoke marshals event and runs function within the integration timeout.
func (g *Gateway) invoke(ctx context.Context, function string, event any) (InvokeResult, error) {
	payload, err := json.Marshal(event)
	if err != nil {
		return InvokeResult{}, fmt.Errorf("gateway: encoding event for %s: %w", function, err)
	}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.IntegrationTimeout)
	defer cancel()
	res, err := g.inv.Invoke(ctx, function, payload)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return InvokeResult{}, fmt.Errorf("gateway: invoking %s: %w: %w", function, errIntegrationTimeout, err)
		}
		return InvokeResult{}, fmt.Errorf("gateway: invoking %s: %w", function, err)
	}
	return res, nil
}
