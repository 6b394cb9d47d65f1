package gateway

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
)

// decodeProxyResponse reads a Lambda proxy integration response. A function error or a
// document without a valid statusCode is an integration failure (502 on $connect).
func decodeProxyResponse(res lambdahost.Result) (events.APIGatewayProxyResponse, error) {
	var resp events.APIGatewayProxyResponse
	if res.FunctionError != "" {
		return resp, fmt.Errorf("gateway: function error %q: %w", res.FunctionError, errIntegrationFailure)
	}
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		return resp, fmt.Errorf("gateway: malformed proxy response: %w: %w", errIntegrationFailure, err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return resp, fmt.Errorf("gateway: proxy response status %d: %w", resp.StatusCode, errIntegrationFailure)
	}
	return resp, nil
}

// proxyBody returns the response body, decoded when the function base64-encoded it.
func proxyBody(resp events.APIGatewayProxyResponse) ([]byte, error) {
	if !resp.IsBase64Encoded {
		return []byte(resp.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("gateway: proxy response body: %w: %w", errIntegrationFailure, err)
	}
	return b, nil
}

// proxyHeaders merges headers and multiValueHeaders, as API Gateway does.
func proxyHeaders(resp events.APIGatewayProxyResponse) http.Header {
	h := http.Header{}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	return h
}

// writeProxyResponse answers a refused handshake with exactly what $connect returned.
func writeProxyResponse(w http.ResponseWriter, resp events.APIGatewayProxyResponse) {
	body, err := proxyBody(resp)
	if err != nil {
		writeError(w, err)
		return
	}
	for k, vs := range proxyHeaders(resp) {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}
