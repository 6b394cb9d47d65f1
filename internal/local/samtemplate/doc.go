// Package samtemplate reads an AWS SAM or CloudFormation template (YAML or
// JSON) and returns the resolved, typed model of its WebSocket stack that the
// local host runs: Lambda functions, WebSocket APIs with their routes, stage
// and authorizers, and DynamoDB tables.
//
// # Contract
//
// Load and Parse read the template once and resolve every value the model
// needs: parameters (defaults, overrides, AllowedValues, NoEcho), pseudo
// parameters, conditions, mappings, SAM Globals, and the intrinsic functions
// Ref, Fn::Sub, Fn::GetAtt, Fn::Join, Fn::If, Fn::Select, Fn::Split,
// Fn::FindInMap, Fn::Base64 and Fn::GetAZs. References to resources become
// local physical values derived from Options (function names, API ids,
// table names, plausible ARNs). Nothing is fetched from AWS.
//
// Only the properties the model uses are resolved. A resource the host does
// not run (IAM policies, permissions, outputs) may contain anything, including
// intrinsics that cannot be resolved locally; it fails only if a value the
// model needs depends on it. Every problem in the template is an *Error
// naming the resource and property path, wrapping a typed cause
// (*UnsupportedError, *ParameterError) that callers can test with errors.As.
//
// MOCK integrations are evaluated here, once: the status code of the
// $default request template selects an integration response (/regex/ key,
// else $default), whose $default response template becomes the route's
// static reply (Route.Mock); a route is two-way when it has
// RouteResponseSelectionExpression and a RouteResponse. Templates must be
// literal: a template holding VTL, or a TemplateSelectionExpression other
// than $default, is not evaluated and produces a warning saying what the
// host does instead.
//
// NoEcho parameter values are resolved like any other but flagged in
// Template.Parameters, and never appear in error messages; callers must not
// print them (ResolvedParameter.String redacts them).
//
// # Concurrency
//
// Load and Parse are safe to call concurrently; they share no state. The
// returned Template is plain data: read it from any number of goroutines,
// but do not mutate it while others read.
//
// # Where to start
//
// load.go orchestrates one parse: decode.go turns YAML or JSON into plain
// values (short-form tags become long forms), globals.go merges SAM Globals,
// parameters.go and conditions.go prepare the resolver (resolver.go),
// intrinsics.go, sub.go and refs.go resolve values, and functions.go,
// websocket.go (with mock.go) and tables.go build the model declared in model.go.
package samtemplate
