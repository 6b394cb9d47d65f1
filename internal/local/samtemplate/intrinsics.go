package samtemplate

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// resolve returns v with every intrinsic function evaluated. path is the
// property path of v, used in errors. Mappings and lists drop entries that
// resolve to AWS::NoValue.
func (r *resolver) resolve(v any, path string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if name, ok := intrinsicName(x); ok {
			out, err := r.intrinsic(name, x[name])
			if err != nil {
				return nil, atPath(path, err)
			}
			return out, nil
		}
		return r.resolveMap(x, path)
	case []any:
		return r.resolveList(x, path)
	}
	return v, nil
}

func (r *resolver) resolveMap(m map[string]any, path string) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, e := range m {
		v, err := r.resolve(e, childPath(path, k))
		if err != nil {
			return nil, err
		}
		if _, drop := v.(noValueType); !drop {
			out[k] = v
		}
	}
	return out, nil
}

func (r *resolver) resolveList(l []any, path string) ([]any, error) {
	out := make([]any, 0, len(l))
	for i, e := range l {
		v, err := r.resolve(e, childPath(path, fmt.Sprintf("[%d]", i)))
		if err != nil {
			return nil, err
		}
		if _, drop := v.(noValueType); !drop {
			out = append(out, v)
		}
	}
	return out, nil
}

// childPath extends path for an element. Inside an intrinsic's arguments
// the path is "" and stays so: the error then names the intrinsic and is
// placed at the property that holds it.
func childPath(path, elem string) string {
	switch {
	case path == "":
		return ""
	case strings.HasPrefix(elem, "["):
		return path + elem
	}
	return path + "." + elem
}

// intrinsic evaluates one intrinsic function call. Errors name the
// function; the caller adds the property path.
func (r *resolver) intrinsic(name string, arg any) (any, error) {
	var out any
	var err error
	switch name {
	case "Ref":
		out, err = r.fnRef(arg)
	case "Fn::Sub":
		out, err = r.fnSub(arg)
	case "Fn::GetAtt":
		out, err = r.fnGetAtt(arg)
	case "Fn::Join":
		out, err = r.fnJoin(arg)
	case "Fn::If":
		out, err = r.fnIf(arg)
	case "Fn::Select":
		out, err = r.fnSelect(arg)
	case "Fn::Split":
		out, err = r.fnSplit(arg)
	case "Fn::FindInMap":
		out, err = r.fnFindInMap(arg)
	case "Fn::Base64":
		out, err = r.fnBase64(arg)
	case "Fn::GetAZs":
		out, err = r.fnGetAZs(arg)
	case "Fn::Length":
		out, err = r.fnLength(arg)
	case "Fn::ToJsonString":
		out, err = r.fnToJSONString(arg)
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		var b bool
		b, err = r.evalCondition(map[string]any{name: arg})
		out = strconv.FormatBool(b)
	default:
		return nil, &UnsupportedError{Feature: name}
	}
	var unsupported *UnsupportedError
	var located *Error
	if err != nil && !errors.As(err, &unsupported) && !errors.As(err, &located) {
		err = fmt.Errorf("%s: %w", name, err)
	}
	return out, err
}

// args resolves an intrinsic's argument list and checks its length.
func (r *resolver) args(arg any, min, max int) ([]any, error) {
	l, ok := asList(arg)
	if !ok || len(l) < min || len(l) > max {
		return nil, fmt.Errorf("expected a list of %d to %d arguments", min, max)
	}
	return r.resolveList(l, "")
}

func (r *resolver) fnRef(arg any) (any, error) {
	name, ok := arg.(string)
	if !ok {
		return nil, errors.New("argument is not a name")
	}
	return r.ref(name)
}

func (r *resolver) fnGetAtt(arg any) (any, error) {
	if s, ok := arg.(string); ok {
		arg = splitGetAtt(s)
	}
	l, err := r.args(arg, 2, 2)
	if err != nil {
		return nil, err
	}
	id, err1 := scalar(l[0])
	attr, err2 := scalar(l[1])
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return r.getAtt(id, attr)
}

func (r *resolver) fnJoin(arg any) (any, error) {
	l, err := r.args(arg, 2, 2)
	if err != nil {
		return nil, err
	}
	delim, err := scalar(l[0])
	if err != nil {
		return nil, fmt.Errorf("delimiter: %w", err)
	}
	parts, err := toStrings(l[1])
	if err != nil {
		return nil, err
	}
	return strings.Join(parts, delim), nil
}

func (r *resolver) fnIf(arg any) (any, error) {
	l, ok := asList(arg)
	if !ok || len(l) != 3 {
		return nil, errors.New("expected [condition, value if true, value if false]")
	}
	name, ok := l[0].(string)
	if !ok {
		return nil, errors.New("condition is not a name")
	}
	holds, err := r.condition(name)
	if err != nil {
		return nil, err
	}
	if holds {
		return r.resolve(l[1], "")
	}
	return r.resolve(l[2], "")
}

func (r *resolver) fnSelect(arg any) (any, error) {
	l, err := r.args(arg, 2, 2)
	if err != nil {
		return nil, err
	}
	i, err := toInt(l[0])
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	list, ok := asList(l[1])
	if !ok {
		return nil, fmt.Errorf("expected a list, got %s", kindOf(l[1]))
	}
	if i < 0 || i >= len(list) {
		return nil, fmt.Errorf("index %d out of range for %d elements", i, len(list))
	}
	return list[i], nil
}

func (r *resolver) fnSplit(arg any) (any, error) {
	l, err := r.args(arg, 2, 2)
	if err != nil {
		return nil, err
	}
	delim, err1 := scalar(l[0])
	s, err2 := scalar(l[1])
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	var out []any
	for _, p := range strings.Split(s, delim) {
		out = append(out, p)
	}
	return out, nil
}

// fnFindInMap looks up Mappings; a fourth argument {DefaultValue: v}
// (AWS::LanguageExtensions) is used when the keys are missing.
func (r *resolver) fnFindInMap(arg any) (any, error) {
	l, ok := asList(arg)
	if !ok || len(l) < 3 || len(l) > 4 {
		return nil, errors.New("expected [map, top-level key, second-level key]")
	}
	keys, err := r.args(l[:3], 3, 3)
	if err != nil {
		return nil, err
	}
	var v any = r.mappings
	for _, k := range keys {
		s, err := scalar(k)
		if err != nil {
			return nil, err
		}
		m, _ := asMap(v)
		v = m[s]
	}
	if v != nil {
		return v, nil
	}
	if opt, ok := asMap(l[len(l)-1]); ok && len(l) == 4 {
		if d, ok := opt["DefaultValue"]; ok {
			return r.resolve(d, "")
		}
	}
	return nil, fmt.Errorf("no value for %v in Mappings", keys)
}

func (r *resolver) fnBase64(arg any) (any, error) {
	v, err := r.resolve(arg, "")
	if err != nil {
		return nil, err
	}
	s, err := scalar(v)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// fnGetAZs answers three plausible zones for the region.
func (r *resolver) fnGetAZs(arg any) (any, error) {
	v, err := r.resolve(arg, "")
	if err != nil {
		return nil, err
	}
	region, err := scalar(v)
	if err != nil {
		return nil, err
	}
	if region == "" {
		region = r.opts.Region
	}
	return []any{region + "a", region + "b", region + "c"}, nil
}

func (r *resolver) fnLength(arg any) (any, error) {
	v, err := r.resolve(arg, "")
	if err != nil {
		return nil, err
	}
	l, ok := asList(v)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %s", kindOf(v))
	}
	return strconv.Itoa(len(l)), nil
}

func (r *resolver) fnToJSONString(arg any) (any, error) {
	v, err := r.resolve(arg, "")
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}
