package samtemplate

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// defaultKey is the catch-all key of template maps, integration responses
// and route responses.
const defaultKey = "$default"

// vtl matches what makes a template more than a literal body: a reference
// or a directive of the Velocity Template Language.
var vtl = regexp.MustCompile(`\$|#(?:set|if|elseif|else|end|foreach|break|stop|macro|parse|include|evaluate|define)\b`)

// mockIntegration reads a MOCK integration and evaluates its static
// templates once: the status code the request template yields, and the
// response template of the integration response that status selects.
func (r *resolver) mockIntegration(integ *resource, key string, t *Template) (*MockIntegration, error) {
	m := &MockIntegration{LogicalID: integ.ID, StatusCode: 200}
	what := fmt.Sprintf("route %s: MOCK integration %s: request template", key, integ.ID)
	req, ok, err := r.selectTemplate(integ, "RequestTemplates", what, "status 200 is assumed", t)
	if err != nil {
		return nil, err
	}
	if ok {
		if m.StatusCode, err = statusCode(req); err != nil {
			return nil, &Error{Resource: integ.ID, Path: "Properties.RequestTemplates." + defaultKey, Err: err}
		}
	}
	resp, err := r.integrationResponse(integ, m.StatusCode)
	if err != nil || resp == nil {
		return m, err
	}
	what = fmt.Sprintf("route %s: integration response %s: response template", key, resp.ID)
	m.Response, _, err = r.selectTemplate(resp, "ResponseTemplates", what, "nothing is sent back", t)
	return m, err
}

// selectTemplate returns the template a static TemplateSelectionExpression
// (absent, $default or \$default) picks: the $default entry. Other
// expressions are not evaluated, and a template holding VTL is ignored;
// both are reported as warnings naming the consequence.
func (r *resolver) selectTemplate(res *resource, prop, what, ignored string, t *Template) (string, bool, error) {
	templates, err := propAs(r, res, prop, toStringMap)
	if err != nil || len(templates) == 0 {
		return "", false, err
	}
	expr, err := r.propString(res, "TemplateSelectionExpression")
	if err != nil {
		return "", false, err
	}
	if expr != "" && expr != defaultKey && expr != `\`+defaultKey {
		t.warn("%s: TemplateSelectionExpression %q is not evaluated locally; the %s template is used", what, expr, defaultKey)
	}
	tmpl, ok := templates[defaultKey]
	if !ok {
		t.warn("%s: no %s template; %s", what, defaultKey, ignored)
		return "", false, nil
	}
	if vtl.MatchString(tmpl) {
		t.warn("%s holds a VTL expression, which the local host does not evaluate (static templates only); %s", what, ignored)
		return "", false, nil
	}
	return tmpl, true, nil
}

// statusCode reads a MOCK request template, {"statusCode": 200}.
func statusCode(tmpl string) (int, error) {
	var body struct {
		StatusCode *json.Number `json:"statusCode"`
	}
	dec := json.NewDecoder(strings.NewReader(tmpl))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil || body.StatusCode == nil {
		return 0, fmt.Errorf(`a MOCK request template must be {"statusCode": <code>}, got %q`, tmpl)
	}
	code, err := strconv.Atoi(body.StatusCode.String())
	if err != nil || code < 100 || code > 599 {
		return 0, fmt.Errorf("statusCode %s is not an HTTP status code", body.StatusCode)
	}
	return code, nil
}

// integrationResponse returns the AWS::ApiGatewayV2::IntegrationResponse
// of integ that status selects: the first (by logical id) whose
// IntegrationResponseKey /regex/ matches the whole status code, else the
// $default one, else nil.
func (r *resolver) integrationResponse(integ *resource, status int) (*resource, error) {
	var def *resource
	code := strconv.Itoa(status)
	for _, res := range r.ofType(apiV2IntegResponse) {
		id, err := r.propString(res, "IntegrationId")
		if err != nil {
			return nil, err
		}
		if id != integ.ID {
			continue
		}
		key, err := r.propString(res, "IntegrationResponseKey")
		if err != nil {
			return nil, err
		}
		if key == defaultKey {
			def = res
			continue
		}
		re, err := selectionPattern(key)
		if err != nil {
			return nil, &Error{Resource: res.ID, Path: "Properties.IntegrationResponseKey", Err: err}
		}
		if re.MatchString(code) {
			return res, nil
		}
	}
	return def, nil
}

// selectionPattern compiles an integration response key, /regex/, to match
// a whole status code.
func selectionPattern(key string) (*regexp.Regexp, error) {
	inner, ok := strings.CutPrefix(key, "/")
	if ok {
		inner, ok = strings.CutSuffix(inner, "/")
	}
	if !ok || inner == "" {
		return nil, fmt.Errorf("key %q is neither %s nor /regex/", key, defaultKey)
	}
	re, err := regexp.Compile(`^(?:` + inner + `)$`)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", key, err)
	}
	return re, nil
}

// mockTwoWay reports whether a MOCK route sends its response back: as on
// AWS, the route needs both RouteResponseSelectionExpression and a
// $default AWS::ApiGatewayV2::RouteResponse. Half a setup is warned about.
func (r *resolver) mockTwoWay(route *resource, rt *Route, hasRSE bool, t *Template) (bool, error) {
	hasRR, err := r.hasRouteResponse(route)
	if err != nil {
		return false, err
	}
	switch {
	case hasRR && !hasRSE:
		t.warn("route %s: RouteResponse without RouteResponseSelectionExpression; nothing is sent back", rt.Key)
	case hasRSE && !hasRR:
		t.warn("route %s: RouteResponseSelectionExpression without an AWS::ApiGatewayV2::RouteResponse; nothing is sent back", rt.Key)
	case hasRR && rt.Mock.Response == "":
		t.warn("route %s: MOCK integration %s has no integration response template for status %d; nothing is sent back",
			rt.Key, rt.Mock.LogicalID, rt.Mock.StatusCode)
	}
	return hasRR && hasRSE, nil
}

// hasRouteResponse reports whether a $default route response names route.
func (r *resolver) hasRouteResponse(route *resource) (bool, error) {
	for _, res := range r.ofType(apiV2RouteResponse) {
		id, err := r.propString(res, "RouteId")
		if err != nil {
			return false, err
		}
		if id != route.ID {
			continue
		}
		key, err := r.propString(res, "RouteResponseKey")
		if err != nil {
			return false, err
		}
		if key != defaultKey {
			return false, &Error{Resource: res.ID, Path: "Properties.RouteResponseKey",
				Err: errors.New("WebSocket APIs allow only the $default route response")}
		}
		return true, nil
	}
	return false, nil
}
