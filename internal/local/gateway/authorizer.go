package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
	"github.com/agentbridge/agentbridge/protocol"
)

// authorizerRequest is the REQUEST authorizer event of a WebSocket API: the $connect
// event's headers, query string and requestContext, plus type and methodArn.
type authorizerRequest struct {
	Type                            string                                        `json:"type"`
	MethodArn                       string                                        `json:"methodArn"`
	Headers                         map[string]string                             `json:"headers"`
	MultiValueHeaders               map[string][]string                           `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string                             `json:"queryStringParameters,omitempty"`
	MultiValueQueryStringParameters map[string][]string                           `json:"multiValueQueryStringParameters,omitempty"`
	StageVariables                  map[string]string                             `json:"stageVariables"`
	RequestContext                  events.APIGatewayWebsocketProxyRequestContext `json:"requestContext"`
}

// authorize runs a REQUEST authorizer for the $connect event ev and returns what later
// events carry in requestContext.authorizer: principalId plus the returned context.
// Missing identity sources and "Unauthorized" give 401, a Deny (or no Allow) 403, any
// other failure 500.
func (g *Gateway) authorize(ctx context.Context, a *Authorizer, r *http.Request, ev events.APIGatewayWebsocketProxyRequest) (map[string]any, error) {
	if !identityPresent(a.IdentitySources, r.Header, r.URL.Query()) {
		return nil, errUnauthorized
	}
	req := authorizerRequest{
		Type:                            "REQUEST",
		MethodArn:                       fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s", g.cfg.Region, g.cfg.AccountID, g.cfg.APIID, g.cfg.Stage, routeConnect),
		Headers:                         ev.Headers,
		MultiValueHeaders:               ev.MultiValueHeaders,
		QueryStringParameters:           ev.QueryStringParameters,
		MultiValueQueryStringParameters: ev.MultiValueQueryStringParameters,
		StageVariables:                  map[string]string{},
		RequestContext:                  ev.RequestContext,
	}
	res, err := g.invoke(ctx, a.Function, req)
	if err != nil {
		return nil, fmt.Errorf("gateway: authorizer: %w: %w", errAuthorizerFailure, err)
	}
	return authorizerDecision(res)
}

// authorizerDecision reads the authorizer's result.
func authorizerDecision(res lambdahost.Result) (map[string]any, error) {
	if res.FunctionError != "" {
		var fe protocol.FunctionError
		if json.Unmarshal(res.Payload, &fe) == nil && fe.ErrorMessage == "Unauthorized" {
			return nil, errUnauthorized
		}
		return nil, fmt.Errorf("gateway: authorizer function error %q: %w", res.FunctionError, errAuthorizerFailure)
	}
	var resp authorizerResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		return nil, fmt.Errorf("gateway: authorizer response: %w: %w", errAuthorizerFailure, err)
	}
	if !allowed(resp.PolicyDocument) {
		return nil, errAccessDenied
	}
	out := map[string]any{"principalId": resp.PrincipalID}
	for k, v := range resp.Context {
		out[k] = v
	}
	return out, nil
}

// authorizerResponse is the part of an authorizer's result that decides. It is not
// events.APIGatewayCustomAuthorizerResponse because that type requires Action and
// Resource to be arrays, while AWS (and most authorizers) also use single strings.
type authorizerResponse struct {
	PrincipalID    string           `json:"principalId"`
	PolicyDocument authorizerPolicy `json:"policyDocument"`
	Context        map[string]any   `json:"context"`
}

type authorizerPolicy struct {
	Statement []struct {
		Effect string `json:"Effect"`
	} `json:"Statement"`
}

// allowed: an explicit Deny wins; otherwise some statement must Allow. Resources are not
// matched: the only route an authorizer guards here is $connect.
func allowed(p authorizerPolicy) bool {
	allow := false
	for _, st := range p.Statement {
		switch {
		case strings.EqualFold(st.Effect, "Deny"):
			return false
		case strings.EqualFold(st.Effect, "Allow"):
			allow = true
		}
	}
	return allow
}
