package samtemplate

import (
	"reflect"
	"strings"
	"testing"
)

// baseTemplate declares parameters, conditions, mappings and a few
// resources; the env expression is placed as variable X of function Fn.
const baseTemplate = `
Parameters:
  Env:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Names:
    Type: CommaDelimitedList
    Default: "a, b,c"
  Secret:
    Type: String
    NoEcho: true
    Default: s3cr3t
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  Both: !And [!Condition IsDev, !Equals [x, x]]
  Either: !Or [!Condition IsProd, !Equals [a, b]]
Mappings:
  Sizes:
    dev: {Memory: "256"}
    prod: {Memory: "1024"}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src
      Environment:
        Variables:
          X: %s
  Named:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: custom-name
      Code: build/named
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub ${AWS::StackName}-conns
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  ApiStage:
    Type: AWS::ApiGatewayV2::Stage
    Properties:
      ApiId: !Ref Api
      StageName: live
`

// withX returns the base template with expr as the value of Fn's X.
func withX(expr string) string {
	return strings.Replace(baseTemplate, "%s", expr, 1)
}

// parseString parses a template held in a string, failing the test on error.
func parseString(t *testing.T, src string, opts Options) *Template {
	t.Helper()
	tmpl, err := Parse([]byte(src), "/project", opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return tmpl
}

func equalValues(a, b any) bool {
	return reflect.DeepEqual(a, b)
}
