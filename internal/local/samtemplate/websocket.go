package samtemplate

import (
	"errors"
	"fmt"
	"strings"
)

// webSocketAPIs builds every WEBSOCKET API with its stage and routes.
func (r *resolver) webSocketAPIs(t *Template) ([]*WebSocketAPI, error) {
	apis, byID, err := r.apis()
	if err != nil {
		return nil, err
	}
	if err := r.attachStages(byID, t); err != nil {
		return nil, err
	}
	if err := r.attachRoutes(byID, t); err != nil {
		return nil, err
	}
	for _, api := range apis {
		if api.Stage == nil {
			return nil, &Error{Resource: api.LogicalID, Err: errors.New("no AWS::ApiGatewayV2::Stage has this ApiId")}
		}
	}
	return apis, nil
}

func (r *resolver) apis() ([]*WebSocketAPI, map[string]*WebSocketAPI, error) {
	var apis []*WebSocketAPI
	byID := map[string]*WebSocketAPI{}
	for _, res := range r.ofType(apiV2) {
		ws, err := r.isWebSocket(res)
		if err != nil {
			return nil, nil, err
		}
		if !ws {
			continue
		}
		api, err := r.api(res)
		if err != nil {
			return nil, nil, err
		}
		apis = append(apis, api)
		byID[api.ID] = api
	}
	if r.opts.APIID != "" && len(apis) > 1 {
		return nil, nil, fmt.Errorf("options: APIID is set but the template has %d WebSocket APIs", len(apis))
	}
	return apis, byID, nil
}

func (r *resolver) api(res *resource) (*WebSocketAPI, error) {
	api := &WebSocketAPI{LogicalID: res.ID, Routes: map[string]*Route{}}
	var err error
	if api.ID, err = r.physicalID(res); err != nil {
		return nil, err
	}
	if api.Endpoint, err = r.apiEndpoint(res, api.ID); err != nil {
		return nil, err
	}
	if api.Name, err = r.nameOr(res, "Name"); err != nil {
		return nil, err
	}
	api.RouteSelectionExpression, err = r.propString(res, "RouteSelectionExpression")
	return api, err
}

// ownerAPI returns the WebSocket API a stage, route or integration belongs
// to, or nil when it belongs to another (HTTP) API.
func (r *resolver) ownerAPI(res *resource, byID map[string]*WebSocketAPI) (*WebSocketAPI, error) {
	id, err := r.propString(res, "ApiId")
	return byID[id], err
}

func (r *resolver) attachStages(byID map[string]*WebSocketAPI, t *Template) error {
	for _, res := range r.ofType(apiV2Stage) {
		api, err := r.ownerAPI(res, byID)
		if err != nil {
			return err
		}
		if api == nil {
			continue
		}
		if api.Stage != nil {
			t.warn("API %s: stage %s ignored; the host serves stage %s", api.LogicalID, res.ID, api.Stage.LogicalID)
			continue
		}
		if api.Stage, err = r.stage(res); err != nil {
			return err
		}
	}
	return nil
}

func (r *resolver) stage(res *resource) (*Stage, error) {
	s := &Stage{LogicalID: res.ID}
	var err error
	if s.Name, err = r.physicalID(res); err != nil {
		return nil, err
	}
	if s.AutoDeploy, err = r.propBool(res, "AutoDeploy"); err != nil {
		return nil, err
	}
	s.Variables, err = propAs(r, res, "StageVariables", toStringMap)
	return s, err
}

func (r *resolver) attachRoutes(byID map[string]*WebSocketAPI, t *Template) error {
	authorizers := map[string]*Authorizer{}
	for _, res := range r.ofType(apiV2Route) {
		api, err := r.ownerAPI(res, byID)
		if err != nil {
			return err
		}
		if api == nil {
			continue
		}
		route, err := r.route(res, authorizers, t)
		if err != nil {
			return err
		}
		if other, dup := api.Routes[route.Key]; dup {
			return &Error{Resource: res.ID, Path: "Properties.RouteKey",
				Err: fmt.Errorf("route key %s is also declared by %s", route.Key, other.LogicalID)}
		}
		api.Routes[route.Key] = route
	}
	return nil
}

func (r *resolver) route(res *resource, authorizers map[string]*Authorizer, t *Template) (*Route, error) {
	rt := &Route{LogicalID: res.ID}
	var err error
	if rt.Key, err = r.propString(res, "RouteKey"); err != nil {
		return nil, err
	}
	if rt.Function, rt.Mock, err = r.routeTarget(res, rt.Key, t); err != nil {
		return nil, err
	}
	rse, err := r.propString(res, "RouteResponseSelectionExpression")
	if err != nil {
		return nil, err
	}
	rt.ReturnResponse = rse != ""
	if rt.Mock != nil {
		if rt.ReturnResponse, err = r.mockTwoWay(res, rt, rse != "", t); err != nil {
			return nil, err
		}
	}
	if rt.AuthorizationType, err = r.propString(res, "AuthorizationType"); err != nil {
		return nil, err
	}
	if rt.AuthorizationType == "" {
		rt.AuthorizationType = "NONE"
	}
	rt.Authorizer, err = r.routeAuthorizer(res, rt.Key, authorizers)
	return rt, err
}

// routeTarget returns the logical id of the function behind the route's
// integration, or its MOCK integration; neither when there is none.
func (r *resolver) routeTarget(res *resource, key string, t *Template) (string, *MockIntegration, error) {
	target, err := r.propString(res, "Target")
	if err != nil || target == "" {
		return "", nil, err
	}
	fail := func(err error) error {
		return &Error{Resource: res.ID, Path: "Properties.Target", Err: fmt.Errorf("route %s: %w", key, err)}
	}
	id, ok := strings.CutPrefix(target, "integrations/")
	integ := r.resources[id]
	if !ok || integ == nil || integ.Type != apiV2Integration {
		return "", nil, fail(fmt.Errorf("target %q is not integrations/<an AWS::ApiGatewayV2::Integration>", target))
	}
	typ, err := r.propString(integ, "IntegrationType")
	if err != nil {
		return "", nil, err
	}
	switch strings.ToUpper(typ) {
	case "AWS_PROXY":
		uri, err := r.propString(integ, "IntegrationUri")
		if err != nil {
			return "", nil, err
		}
		fn, err := r.functionFromURI(uri)
		if err != nil {
			return "", nil, fail(fmt.Errorf("integration %s: %w", id, err))
		}
		return fn, nil, nil
	case "MOCK":
		if key == "$connect" || key == "$disconnect" {
			t.warn("route %s: MOCK integration %s is treated as no integration", key, id)
		}
		mock, err := r.mockIntegration(integ, key, t)
		return "", mock, err
	}
	return "", nil, fail(fmt.Errorf("integration %s has type %s; only AWS_PROXY (Lambda) and MOCK integrations run locally", id, typ))
}

// routeAuthorizer returns the REQUEST authorizer named by AuthorizerId.
func (r *resolver) routeAuthorizer(res *resource, key string, cache map[string]*Authorizer) (*Authorizer, error) {
	id, err := r.propString(res, "AuthorizerId")
	if err != nil || id == "" {
		return nil, err
	}
	if a, ok := cache[id]; ok {
		return a, nil
	}
	fail := func(err error) error {
		return &Error{Resource: res.ID, Path: "Properties.AuthorizerId", Err: fmt.Errorf("route %s: %w", key, err)}
	}
	ares := r.resources[id]
	if ares == nil || ares.Type != apiV2Authorizer {
		return nil, fail(fmt.Errorf("%q is not an AWS::ApiGatewayV2::Authorizer", id))
	}
	a, err := r.authorizer(ares)
	if err != nil {
		return nil, fail(err)
	}
	cache[id] = a
	return a, nil
}

func (r *resolver) authorizer(res *resource) (*Authorizer, error) {
	typ, err := r.propString(res, "AuthorizerType")
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(typ, "REQUEST") {
		return nil, fmt.Errorf("authorizer %s has type %s; WebSocket APIs run only REQUEST authorizers", res.ID, typ)
	}
	uri, err := r.propString(res, "AuthorizerUri")
	if err != nil {
		return nil, err
	}
	a := &Authorizer{LogicalID: res.ID}
	if a.Function, err = r.functionFromURI(uri); err != nil {
		return nil, fmt.Errorf("authorizer %s: %w", res.ID, err)
	}
	a.IdentitySources, err = r.propStrings(res, "IdentitySource")
	return a, err
}

// functionFromURI maps an integration or authorizer URI
// (arn:...:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations,
// or a bare function ARN) to a function's logical id: first through the
// ARNs GetAtt produced, then by the function name inside the ARN.
func (r *resolver) functionFromURI(uri string) (string, error) {
	arn := uri
	if _, after, ok := strings.Cut(uri, "/functions/"); ok {
		arn = strings.TrimSuffix(after, "/invocations")
	}
	if id, ok := r.functionARNs[arn]; ok {
		return id, nil
	}
	_, after, ok := strings.Cut(arn, ":function:")
	if !ok {
		return "", fmt.Errorf("no Lambda function ARN in %q", uri)
	}
	name, _, _ := strings.Cut(after, ":") // drop an alias or version
	for _, res := range r.ofType(serverlessFunction, lambdaFunction) {
		fn, err := r.physicalID(res)
		if err != nil {
			return "", err
		}
		if fn == name {
			return res.ID, nil
		}
	}
	return "", fmt.Errorf("Lambda function %q is not declared in the template", name)
}
