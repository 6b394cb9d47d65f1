package samtemplate

import "time"

// Template is the resolved model of one SAM template.
type Template struct {
	// Functions holds every AWS::Serverless::Function and
	// AWS::Lambda::Function whose Condition holds, by logical id.
	Functions map[string]*Function
	// WebSocketAPIs holds every AWS::ApiGatewayV2::Api with ProtocolType
	// WEBSOCKET, sorted by logical id.
	WebSocketAPIs []*WebSocketAPI
	// Tables holds every AWS::DynamoDB::Table and AWS::Serverless::SimpleTable,
	// sorted by logical id.
	Tables []*Table
	// Parameters holds every declared parameter with its resolved value.
	Parameters map[string]ResolvedParameter
	// Warnings lists things that were accepted but behave differently
	// locally (a MOCK integration on $connect, a VTL template, code stored
	// in S3, a second stage).
	Warnings []string
}

// Function is one Lambda function.
type Function struct {
	// LogicalID is the template's key for the resource.
	LogicalID string
	// Name is FunctionName when set, else LogicalID.
	Name string
	// CodeURI is the absolute local directory or file of the code: CodeUri
	// (default: the template's directory) or a string Code of an
	// AWS::Lambda::Function. Empty when the code lives in S3 or inline.
	CodeURI string
	// Handler and Runtime are the properties as written (after Globals).
	Handler, Runtime string
	// Architectures defaults to [x86_64], as in Lambda.
	Architectures []string
	// Timeout defaults to 3s, as in Lambda.
	Timeout time.Duration
	// MemoryMB defaults to 128, as in Lambda.
	MemoryMB int
	// Environment is Environment.Variables, Globals merged, resolved.
	Environment map[string]string
	// BuildMethod is Metadata.BuildMethod ("makefile", "go1.x"); "" if none.
	BuildMethod string
	// LogFormat is LoggingConfig.LogFormat ("JSON", "Text"); "" if unset.
	LogFormat string
	// ReservedConcurrency is ReservedConcurrentExecutions; 0 means unset.
	ReservedConcurrency int
}

// WebSocketAPI is one AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET.
type WebSocketAPI struct {
	// LogicalID is the template's key for the resource.
	LogicalID string
	// Name is the Name property, else LogicalID.
	Name string
	// ID is what Ref returns: Options.APIID or a stable derived id.
	ID string
	// Endpoint is what GetAtt ApiEndpoint returns.
	Endpoint string
	// RouteSelectionExpression as written, e.g. $request.body.action.
	RouteSelectionExpression string
	// Stage is the AWS::ApiGatewayV2::Stage whose ApiId is this API.
	Stage *Stage
	// Routes by RouteKey ($connect, $disconnect, $default, custom keys).
	Routes map[string]*Route
}

// Stage is an AWS::ApiGatewayV2::Stage.
type Stage struct {
	LogicalID string
	// Name is StageName.
	Name string
	// AutoDeploy is the AutoDeploy property (default false).
	AutoDeploy bool
	// Variables is StageVariables, resolved; nil if none.
	Variables map[string]string
}

// Route is an AWS::ApiGatewayV2::Route of a WebSocket API.
type Route struct {
	// LogicalID is the template's key for the route resource.
	LogicalID string
	// Key is the RouteKey.
	Key string
	// Function is the logical id of the Lambda function behind the route's
	// AWS_PROXY integration; "" when the route has no integration (or MOCK).
	Function string
	// Mock is the route's MOCK integration; nil for any other route.
	Mock *MockIntegration
	// ReturnResponse is true when the integration's response is sent back
	// to the client. For a Lambda route: RouteResponseSelectionExpression
	// is set. For a MOCK route: it is set and an
	// AWS::ApiGatewayV2::RouteResponse with this RouteId exists.
	ReturnResponse bool
	// AuthorizationType is NONE (default), AWS_IAM or CUSTOM.
	AuthorizationType string
	// Authorizer is the REQUEST Lambda authorizer of a CUSTOM route.
	Authorizer *Authorizer
}

// MockIntegration is an AWS::ApiGatewayV2::Integration of type MOCK:
// API Gateway answers the message itself and no function runs. Only static
// templates are supported; a template holding a VTL expression ($ or a #
// directive) is not evaluated, which Template.Warnings says.
type MockIntegration struct {
	LogicalID string
	// StatusCode is the statusCode of the selected request template
	// (RequestTemplates, TemplateSelectionExpression); 200 when there is
	// none. It selects the integration response.
	StatusCode int
	// Response is the selected response template of the integration
	// response matching StatusCode (a /regex/ IntegrationResponseKey, else
	// $default): the body sent back when the route is two-way. "" when
	// there is no such response or template: nothing is sent back.
	Response string
}

// Authorizer is an AWS::ApiGatewayV2::Authorizer of type REQUEST.
type Authorizer struct {
	LogicalID string
	// Function is the logical id of the authorizer's Lambda function.
	Function string
	// IdentitySources as written, e.g. route.request.header.Auth or
	// route.request.querystring.token.
	IdentitySources []string
}

// Table is an AWS::DynamoDB::Table or AWS::Serverless::SimpleTable.
type Table struct {
	LogicalID string
	// Name is TableName, else LogicalID.
	Name                   string
	KeySchema              []KeyElement
	Attributes             []AttributeDefinition
	GlobalSecondaryIndexes []Index
	LocalSecondaryIndexes  []Index
	// TTLAttribute is TimeToLiveSpecification.AttributeName when Enabled.
	TTLAttribute string
	// BillingMode is PROVISIONED or PAY_PER_REQUEST, defaulted as AWS does.
	BillingMode string
}

// KeyElement is one element of a key schema.
type KeyElement struct {
	AttributeName string
	KeyType       string // HASH or RANGE
}

// AttributeDefinition declares the type of a key attribute.
type AttributeDefinition struct {
	AttributeName string
	AttributeType string // S, N or B
}

// Index is a global or local secondary index.
type Index struct {
	Name             string
	KeySchema        []KeyElement
	ProjectionType   string // ALL, KEYS_ONLY or INCLUDE
	NonKeyAttributes []string
}

// ResolvedParameter is a template parameter after defaults and overrides.
type ResolvedParameter struct {
	// Type is the declared Type (default String).
	Type string
	// Value is the resolved value; list types keep their comma-joined form.
	Value string
	// NoEcho marks a value callers must never print or log.
	NoEcho bool
}

// String returns the value, or "****" for NoEcho parameters, so a
// parameter printed by accident does not leak.
func (p ResolvedParameter) String() string {
	if p.NoEcho {
		return "****"
	}
	return p.Value
}
