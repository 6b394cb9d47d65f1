package samtemplate

import (
	"fmt"
	"sort"
)

// Resource types the model reads or gives specific physical values.
const (
	serverlessFunction = "AWS::Serverless::Function"
	lambdaFunction     = "AWS::Lambda::Function"
	simpleTable        = "AWS::Serverless::SimpleTable"
	dynamoTable        = "AWS::DynamoDB::Table"
	apiV2              = "AWS::ApiGatewayV2::Api"
	apiV2Stage         = "AWS::ApiGatewayV2::Stage"
	apiV2Route         = "AWS::ApiGatewayV2::Route"
	apiV2Integration   = "AWS::ApiGatewayV2::Integration"
	apiV2Authorizer    = "AWS::ApiGatewayV2::Authorizer"
	apiV2IntegResponse = "AWS::ApiGatewayV2::IntegrationResponse"
	apiV2RouteResponse = "AWS::ApiGatewayV2::RouteResponse"
	iamRole            = "AWS::IAM::Role"
)

// resource is one entry of the Resources section, unresolved.
type resource struct {
	ID         string
	Type       string
	Properties map[string]any
	Metadata   map[string]any
	Condition  string
}

// resolver holds one template's sections and resolves values on demand.
// It memoises references and conditions; it belongs to one Parse call and
// is not safe for concurrent use.
type resolver struct {
	opts       Options
	params     map[string]*param
	conditions map[string]any
	mappings   map[string]any
	resources  map[string]*resource // only resources whose Condition holds
	disabled   map[string]bool      // resources whose Condition is false

	condMemo map[string]bool
	condBusy map[string]bool
	refMemo  map[string]string
	refBusy  map[string]bool
	// functionARNs remembers which function each Lambda ARN produced by
	// GetAtt came from, so integrations map back without name matching.
	functionARNs map[string]string
}

// ofType returns the enabled resources of the given types, sorted by
// logical id so that errors and warnings come out in a stable order.
func (r *resolver) ofType(types ...string) []*resource {
	var out []*resource
	for _, res := range r.resources {
		for _, t := range types {
			if res.Type == t {
				out = append(out, res)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// prop resolves one property of a resource; an absent property or one that
// resolves to AWS::NoValue is nil.
func (r *resolver) prop(res *resource, key string) (any, error) {
	v, err := r.resolve(res.Properties[key], "Properties."+key)
	if err != nil {
		return nil, inResource(res.ID, err)
	}
	if _, ok := v.(noValueType); ok {
		return nil, nil
	}
	return v, nil
}

// propAs resolves a property and converts it, reporting conversion errors
// at the property's path.
func propAs[T any](r *resolver, res *resource, key string, conv func(any) (T, error)) (T, error) {
	var zero T
	v, err := r.prop(res, key)
	if err != nil {
		return zero, err
	}
	out, err := conv(v)
	if err != nil {
		return zero, &Error{Resource: res.ID, Path: "Properties." + key, Err: err}
	}
	return out, nil
}

func (r *resolver) propString(res *resource, key string) (string, error) {
	return propAs(r, res, key, scalar)
}

// propInt reads an integer property, def when absent.
func (r *resolver) propInt(res *resource, key string, def int) (int, error) {
	return propAs(r, res, key, func(v any) (int, error) {
		if v == nil {
			return def, nil
		}
		return toInt(v)
	})
}

func (r *resolver) propBool(res *resource, key string) (bool, error) {
	return propAs(r, res, key, func(v any) (bool, error) {
		if v == nil {
			return false, nil
		}
		return toBool(v)
	})
}

func (r *resolver) propStrings(res *resource, key string) ([]string, error) {
	return propAs(r, res, key, toStrings)
}

// field reads a key of a resolved mapping property, with the error path
// pointing at it.
func field[T any](res *resource, path string, m map[string]any, key string, conv func(any) (T, error)) (T, error) {
	out, err := conv(m[key])
	if err != nil {
		return out, &Error{Resource: res.ID, Path: joinPath(path, key), Err: err}
	}
	return out, nil
}

// notFound explains a reference to a logical id that is not an enabled
// resource.
func (r *resolver) notFound(id string) error {
	if r.disabled[id] {
		return fmt.Errorf("resource %s is not created: its Condition is false", id)
	}
	return fmt.Errorf("%s is not a parameter or resource of the template", id)
}
