package devhost

import (
	"fmt"

	"github.com/agentbridge/agentbridge/internal/local/gateway"
)

// startGateway serves the template's WebSocket API, integrating routes with the functions.
func (h *Host) startGateway() error {
	api := h.tmpl.WebSocketAPIs[0]
	cfg := gateway.Config{
		Stage: h.stage, APIID: api.ID, Region: h.opts.Region,
		RouteSelectionExpression: api.RouteSelectionExpression,
		Routes:                   make(map[string]gateway.Route, len(api.Routes)),
		IdleTimeout:              h.opts.IdleTimeout,
		MaxConnectionDuration:    h.opts.MaxConnectionDuration,
		Logger:                   h.opts.Logger,
	}
	for key, r := range api.Routes {
		if r.Mock != nil && (key == "$connect" || key == "$disconnect") {
			continue // no integration, as the template's warning says
		}
		route := gateway.Route{Key: key, Function: h.functionName(r.Function), ReturnResponse: r.ReturnResponse}
		if r.Mock != nil {
			route.Mock = &gateway.Mock{Response: []byte(r.Mock.Response)}
		}
		if r.Authorizer != nil {
			route.Authorizer = &gateway.Authorizer{Function: h.functionName(r.Authorizer.Function), IdentitySources: r.Authorizer.IdentitySources}
		}
		cfg.Routes[key] = route
	}
	h.invoker = h.lambdas
	if h.opts.LambdaEndpoint != "" {
		h.invoker = newRemoteInvoker(h.awsConfig(), h.opts.LambdaEndpoint)
	}
	gw, err := gateway.New(cfg, h.invoker)
	if err != nil {
		return fmt.Errorf("WebSocket API %s: %w", api.LogicalID, err)
	}
	h.gateway = gw
	return nil
}

// functionName is the name integrations invoke: the logical id with an external Lambda
// endpoint (as sam local start-lambda names functions), else the function's name.
func (h *Host) functionName(logicalID string) string {
	if logicalID == "" || h.opts.LambdaEndpoint != "" {
		return logicalID
	}
	return h.tmpl.Functions[logicalID].Name
}
