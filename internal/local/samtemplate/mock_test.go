package samtemplate

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestMockRoutes(t *testing.T) {
	tmpl, err := Load(filepath.Join("testdata", "mock.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	routes := tmpl.WebSocketAPIs[0].Routes
	tests := []struct {
		key     string
		want    MockIntegration
		twoWay  bool
		warning string // a warning naming this route must contain it
	}{
		{key: "ping", want: MockIntegration{LogicalID: "PingIntegration", StatusCode: 200, Response: `{"type":"pong"}`}, twoWay: true},
		{key: "heartbeat", want: MockIntegration{LogicalID: "PingIntegration", StatusCode: 200, Response: `{"type":"pong"}`}},
		{key: "gone", want: MockIntegration{LogicalID: "GoneIntegration", StatusCode: 410, Response: `{"type":"error","message":"gone"}`}, twoWay: true},
		{key: "echo", want: MockIntegration{LogicalID: "EchoIntegration", StatusCode: 200}, twoWay: true,
			warning: "response template holds a VTL expression, which the local host does not evaluate (static templates only); nothing is sent back"},
		{key: "select", want: MockIntegration{LogicalID: "SelectIntegration", StatusCode: 200},
			warning: "request template holds a VTL expression, which the local host does not evaluate (static templates only); status 200 is assumed"},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			r := routes[tc.key]
			if r == nil || r.Mock == nil {
				t.Fatalf("route %s = %+v, want a MOCK route", tc.key, r)
			}
			if r.Function != "" || *r.Mock != tc.want || r.ReturnResponse != tc.twoWay {
				t.Errorf("route %s = %+v, mock %+v; want mock %+v, two-way %v", tc.key, r, *r.Mock, tc.want, tc.twoWay)
			}
			var mine []string
			for _, w := range tmpl.Warnings {
				if strings.HasPrefix(w, "route "+tc.key+":") {
					mine = append(mine, w)
				}
			}
			got := strings.Join(mine, "\n")
			if (tc.warning == "") != (got == "") || !strings.Contains(got, tc.warning) {
				t.Errorf("warnings for %s = %q, want %q", tc.key, got, tc.warning)
			}
		})
	}
	if w := strings.Join(tmpl.Warnings, "\n"); !strings.Contains(w, `TemplateSelectionExpression "${request.body.kind}" is not evaluated locally`) {
		t.Errorf("warnings %q lack the dynamic selection expression", w)
	}
}

// TestProjectPingRoute pins the keep-alive route of the project's template.
func TestProjectPingRoute(t *testing.T) {
	tmpl, err := Load(filepath.Join("..", "..", "..", "template.yaml"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ping := tmpl.WebSocketAPIs[0].Routes["ping"]
	if ping == nil || ping.Mock == nil || ping.Function != "" || !ping.ReturnResponse || ping.Mock.Response != `{"type":"pong"}` {
		t.Fatalf("ping route = %+v", ping)
	}
	for _, w := range tmpl.Warnings {
		if strings.Contains(w, "route ping") {
			t.Errorf("warning about the ping route: %s", w)
		}
	}
}

func TestMockHalfTwoWayWarns(t *testing.T) {
	const integ = `
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: MOCK
  IntegResponse:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref Api
      IntegrationId: !Ref Integ
      IntegrationResponseKey: $default
      ResponseTemplates: {$default: '{}'}
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: ping
      Target: !Sub integrations/${Integ}
`
	const routeResponse = `
  RR:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref Api
      RouteId: !Ref R
      RouteResponseKey: $default
`
	const rse = "\n      RouteResponseSelectionExpression: $default"
	withRSE := strings.Replace(integ, "RouteKey: ping", "RouteKey: ping"+rse, 1)
	tests := []struct{ name, src, warning string }{
		{"route response only", wsTemplate + integ + routeResponse, "RouteResponse without RouteResponseSelectionExpression"},
		{"selection expression only", wsTemplate + withRSE, "RouteResponseSelectionExpression without an AWS::ApiGatewayV2::RouteResponse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := parseString(t, tc.src, Options{})
			if r := tmpl.WebSocketAPIs[0].Routes["ping"]; r.ReturnResponse {
				t.Errorf("route %+v is two-way", r)
			}
			if w := strings.Join(tmpl.Warnings, "\n"); !strings.Contains(w, tc.warning) {
				t.Errorf("warnings %q lack %q", w, tc.warning)
			}
		})
	}
}

func TestMockErrors(t *testing.T) {
	const base = `
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: MOCK
      RequestTemplates: {$default: '%s'}
  IntegResponse:
    Type: AWS::ApiGatewayV2::IntegrationResponse
    Properties:
      ApiId: !Ref Api
      IntegrationId: !Ref Integ
      IntegrationResponseKey: '%s'
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: ping
      Target: !Sub integrations/${Integ}
  RR:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref Api
      RouteId: !Ref R
      RouteResponseKey: '%s'
`
	tests := []struct {
		name, request, key, routeKey string
		resource, contains           string
	}{
		{"request template without statusCode", `{"code": 200}`, "$default", "$default", "Integ", `must be {"statusCode": <code>}`},
		{"status code out of range", `{"statusCode": 42}`, "$default", "$default", "Integ", "statusCode 42 is not an HTTP status code"},
		{"response key not a regex", `{"statusCode": 200}`, "200", "$default", "IntegResponse", `key "200" is neither $default nor /regex/`},
		{"response key bad regex", `{"statusCode": 200}`, "/2(/", "$default", "IntegResponse", "missing closing )"},
		{"route response key other than $default", `{"statusCode": 200}`, "$default", "ok", "RR", "only the $default route response"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := wsTemplate + strings.NewReplacer("'%s'}", "'"+tc.request+"'}").Replace(base)
			src = strings.Replace(src, "IntegrationResponseKey: '%s'", "IntegrationResponseKey: '"+tc.key+"'", 1)
			src = strings.Replace(src, "RouteResponseKey: '%s'", "RouteResponseKey: '"+tc.routeKey+"'", 1)
			_, err := Parse([]byte(src), "/p", Options{})
			var e *Error
			if err == nil || !strings.Contains(err.Error(), tc.contains) || !errors.As(err, &e) || e.Resource != tc.resource {
				t.Fatalf("err = %v, want one of resource %s containing %q", err, tc.resource, tc.contains)
			}
		})
	}
}
