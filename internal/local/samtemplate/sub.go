package samtemplate

import (
	"errors"
	"fmt"
	"strings"
)

// fnSub evaluates Fn::Sub in both forms: "string" and [string, {vars}].
func (r *resolver) fnSub(arg any) (any, error) {
	tmpl, vars, err := r.subArgs(arg)
	if err != nil {
		return nil, err
	}
	return r.substitute(tmpl, vars)
}

func (r *resolver) subArgs(arg any) (string, map[string]any, error) {
	if s, ok := arg.(string); ok {
		return s, nil, nil
	}
	l, ok := asList(arg)
	if !ok || len(l) != 2 {
		return "", nil, errors.New("expected a string or [string, {variables}]")
	}
	tmpl, ok := l[0].(string)
	if !ok {
		return "", nil, errors.New("template is not a string")
	}
	raw, ok := asMap(l[1])
	if !ok {
		return "", nil, errors.New("variables are not a mapping")
	}
	vars, err := r.resolveMap(raw, "")
	return tmpl, vars, err
}

// substitute replaces ${Name} and ${Resource.Attribute}; ${!Literal}
// becomes the literal text ${Literal}.
func (r *resolver) substitute(s string, vars map[string]any) (string, error) {
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			return "", fmt.Errorf("unclosed ${ in %q", s)
		}
		b.WriteString(s[:start])
		name := s[start+2 : start+end]
		s = s[start+end+1:]
		if lit, ok := strings.CutPrefix(name, "!"); ok {
			b.WriteString("${" + lit + "}")
			continue
		}
		v, err := r.subVariable(strings.TrimSpace(name), vars)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
	}
}

// subVariable resolves one ${...}: the variables map first, then
// Resource.Attribute as GetAtt, else Ref.
func (r *resolver) subVariable(name string, vars map[string]any) (string, error) {
	var v any
	var err error
	if given, ok := vars[name]; ok {
		v = given
	} else if id, attr, dotted := strings.Cut(name, "."); dotted {
		v, err = r.getAtt(id, attr)
	} else {
		v, err = r.ref(name)
	}
	if err != nil {
		return "", err
	}
	s, err := scalar(v)
	if err != nil {
		return "", fmt.Errorf("${%s}: %w", name, err)
	}
	return s, nil
}
