package samtemplate

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// wsTemplate is a WebSocket API with one function; extra adds resources.
const wsTemplate = `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Stage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: v1
`

func TestRoutes(t *testing.T) {
	tests := []struct {
		name    string
		extra   string
		want    Route
		warning string
	}{
		{
			name: "alias qualified ARN falls back to the function name",
			extra: `
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}:live/invocations
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $default
      Target: !Join [/, [integrations, !Ref Integ]]
`,
			want: Route{LogicalID: "R", Key: "$default", Function: "Fn", AuthorizationType: "NONE"},
		},
		{
			name: "no target",
			extra: `
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $connect
      AuthorizationType: AWS_IAM
`,
			want: Route{LogicalID: "R", Key: "$connect", AuthorizationType: "AWS_IAM"},
		},
		{
			name: "mock integration",
			extra: `
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: MOCK
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: ping
      Target: !Sub integrations/${Integ}
`,
			want: Route{LogicalID: "R", Key: "ping", AuthorizationType: "NONE",
				Mock: &MockIntegration{LogicalID: "Integ", StatusCode: 200}},
		},
		{
			name: "mock integration on $connect",
			extra: `
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: MOCK
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $connect
      Target: !Sub integrations/${Integ}
`,
			want: Route{LogicalID: "R", Key: "$connect", AuthorizationType: "NONE",
				Mock: &MockIntegration{LogicalID: "Integ", StatusCode: 200}},
			warning: "MOCK integration Integ is treated as no integration",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := parseString(t, wsTemplate+tc.extra, Options{})
			got := tmpl.WebSocketAPIs[0].Routes[tc.want.Key]
			if got == nil || !equalValues(*got, tc.want) {
				t.Fatalf("route = %+v, want %+v", got, tc.want)
			}
			warnings := strings.Join(tmpl.Warnings, "\n")
			if tc.warning != "" && !strings.Contains(warnings, tc.warning) {
				t.Errorf("warnings %q lack %q", warnings, tc.warning)
			}
		})
	}
}

func TestWebSocketErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		opts     Options
		resource string
		contains string
	}{
		{
			name: "http proxy integration names the route",
			src: wsTemplate + `
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: HTTP_PROXY
      IntegrationUri: https://example.com
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: sendmessage
      Target: !Sub integrations/${Integ}
`,
			resource: "R",
			contains: "route sendmessage: integration Integ has type HTTP_PROXY",
		},
		{
			name: "function not in template",
			src: wsTemplate + `
  Integ:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Api
      IntegrationType: AWS_PROXY
      IntegrationUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:Elsewhere/invocations
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $default
      Target: !Sub integrations/${Integ}
`,
			resource: "R",
			contains: `Lambda function "Elsewhere" is not declared`,
		},
		{
			name: "non REQUEST authorizer",
			src: wsTemplate + `
  Auth:
    Type: AWS::ApiGatewayV2::Authorizer
    Properties:
      ApiId: !Ref Api
      AuthorizerType: JWT
  R:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Api
      RouteKey: $connect
      AuthorizationType: CUSTOM
      AuthorizerId: !Ref Auth
`,
			resource: "R",
			contains: "route $connect: authorizer Auth has type JWT",
		},
		{
			name:     "no stage",
			src:      strings.SplitN(wsTemplate, "  Stage:", 2)[0],
			resource: "Api",
			contains: "no AWS::ApiGatewayV2::Stage",
		},
		{
			name: "APIID with two WebSocket APIs",
			src: wsTemplate + `
  Api2:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: WEBSOCKET
`,
			opts:     Options{APIID: "x"},
			contains: "APIID is set but the template has 2 WebSocket APIs",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), "/p", tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.contains)
			}
			var e *Error
			if tc.resource != "" && (!errors.As(err, &e) || e.Resource != tc.resource) {
				t.Errorf("err %v does not name resource %s", err, tc.resource)
			}
		})
	}
}

func TestHTTPAPIsAndTheirRoutesAreIgnored(t *testing.T) {
	src := wsTemplate + `
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: HTTP
  HttpInteg:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Http
      IntegrationType: HTTP_PROXY
  HttpRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Http
      RouteKey: GET /
      Target: !Sub integrations/${HttpInteg}
`
	tmpl := parseString(t, src, Options{APIID: "onlyws0001"})
	if len(tmpl.WebSocketAPIs) != 1 || tmpl.WebSocketAPIs[0].ID != "onlyws0001" || len(tmpl.WebSocketAPIs[0].Routes) != 0 {
		t.Fatalf("WebSocketAPIs = %+v", tmpl.WebSocketAPIs)
	}
}

func TestResourceConditions(t *testing.T) {
	src := `
Parameters:
  WithExtra: {Type: String, Default: "no"}
Conditions:
  Extra: !Equals [!Ref WithExtra, "yes"]
Resources:
  Extra:
    Type: AWS::Serverless::Function
    Condition: Extra
    Properties: {CodeUri: x}
  Main:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: y
      Environment:
        Variables:
          EXTRA: !If [Extra, !Ref Extra, none]
`
	tmpl := parseString(t, src, Options{})
	if _, ok := tmpl.Functions["Extra"]; ok || tmpl.Functions["Main"].Environment["EXTRA"] != "none" {
		t.Fatalf("functions = %v", tmpl.Functions)
	}
	tmpl = parseString(t, src, Options{Overrides: map[string]string{"WithExtra": "yes"}})
	if _, ok := tmpl.Functions["Extra"]; !ok || tmpl.Functions["Main"].Environment["EXTRA"] != "Extra" {
		t.Fatalf("functions = %v", tmpl.Functions)
	}
	bad := strings.Replace(src, "!If [Extra, !Ref Extra, none]", "!Ref Extra", 1)
	_, err := Parse([]byte(bad), "/p", Options{})
	if err == nil || !strings.Contains(err.Error(), "resource Extra is not created: its Condition is false") {
		t.Fatalf("err = %v", err)
	}
}

func TestSimpleTable(t *testing.T) {
	src := `
Globals:
  SimpleTable:
    SSESpecification: {SSEEnabled: true}
Resources:
  Plain:
    Type: AWS::Serverless::SimpleTable
  Keyed:
    Type: AWS::Serverless::SimpleTable
    Properties:
      TableName: keyed
      PrimaryKey: {Name: n, Type: Number}
      ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
`
	tmpl := parseString(t, src, Options{})
	keyed, plain := tmpl.Tables[0], tmpl.Tables[1]
	if plain.Name != "Plain" || plain.KeySchema[0] != (KeyElement{"id", "HASH"}) ||
		plain.Attributes[0] != (AttributeDefinition{"id", "S"}) || plain.BillingMode != "PAY_PER_REQUEST" {
		t.Errorf("Plain = %+v", plain)
	}
	if keyed.Name != "keyed" || keyed.KeySchema[0] != (KeyElement{"n", "HASH"}) ||
		keyed.Attributes[0] != (AttributeDefinition{"n", "N"}) || keyed.BillingMode != "PROVISIONED" {
		t.Errorf("Keyed = %+v", keyed)
	}
}

func TestJSONTemplate(t *testing.T) {
	tmpl, err := Load(filepath.Join("testdata", "chat.json"), Options{APIID: "jsonapi001"})
	if err != nil {
		t.Fatal(err)
	}
	f := tmpl.Functions["Fn"]
	if f.Environment["URL"] != "wss://jsonapi001.execute-api.us-east-1.amazonaws.com/prod" || f.Timeout != 7e9 || f.Runtime != "provided.al2023" {
		t.Errorf("Fn = %+v", f)
	}
	route := tmpl.WebSocketAPIs[0].Routes["$connect"]
	if route == nil || route.Function != "Fn" {
		t.Errorf("routes = %+v", tmpl.WebSocketAPIs[0].Routes)
	}
}
