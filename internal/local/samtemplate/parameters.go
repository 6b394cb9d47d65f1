package samtemplate

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// param is one declared parameter with its chosen value.
type param struct {
	typ    string
	value  string
	noEcho bool
}

// isList reports a CommaDelimitedList or List<...> type, whose Ref is a list.
func (p *param) isList() bool {
	return p.typ == "CommaDelimitedList" || strings.HasPrefix(p.typ, "List<")
}

// ref returns the parameter's value as Ref sees it.
func (p *param) ref() (any, error) {
	if strings.HasPrefix(p.typ, "AWS::SSM::Parameter::") {
		return nil, &UnsupportedError{Feature: "parameter type " + p.typ}
	}
	if !p.isList() {
		return p.value, nil
	}
	var out []any
	for _, e := range p.elements() {
		out = append(out, e)
	}
	return out, nil
}

func (p *param) elements() []string {
	if !p.isList() {
		return []string{p.value}
	}
	parts := strings.Split(p.value, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// resolveParameters applies overrides, then caller defaults, to the declared
// parameters and checks each value against its constraints.
func resolveParameters(section any, overrides, defaults map[string]string) (map[string]*param, error) {
	decls, _ := asMap(section)
	for name := range overrides {
		if _, ok := decls[name]; !ok {
			return nil, paramErr(name, &ParameterError{Name: name, Err: ErrUnknownParameter})
		}
	}
	names := make([]string, 0, len(decls))
	given := make(map[string]string, len(overrides))
	for name := range decls {
		names = append(names, name)
		if v, ok := defaults[name]; ok {
			given[name] = v
		}
		if v, ok := overrides[name]; ok {
			given[name] = v
		}
	}
	sort.Strings(names)
	out := make(map[string]*param, len(decls))
	for _, name := range names {
		p, err := resolveParameter(name, decls[name], given)
		if err != nil {
			return nil, paramErr(name, err)
		}
		out[name] = p
	}
	return out, nil
}

func paramErr(name string, err error) error {
	return &Error{Path: "Parameters." + name, Err: err}
}

func resolveParameter(name string, decl any, overrides map[string]string) (*param, error) {
	d, ok := asMap(decl)
	if !ok {
		return nil, fmt.Errorf("declaration is not a mapping")
	}
	p := &param{typ: "String"}
	if t, ok := d["Type"].(string); ok {
		p.typ = t
	}
	p.noEcho, _ = toBool(d["NoEcho"])
	value, given := overrides[name]
	if !given {
		def, present := d["Default"]
		if !present {
			return nil, &ParameterError{Name: name, Err: ErrNoValue}
		}
		value = defaultString(def)
	}
	p.value = value
	for _, e := range p.elements() {
		if detail := violation(p, d, e); detail != "" {
			return nil, &ParameterError{Name: name, Detail: detail, Err: ErrNotAllowed}
		}
	}
	return p, nil
}

// defaultString reads a Default, joining a list default as CloudFormation
// joins CommaDelimitedList values.
func defaultString(v any) string {
	if l, err := toStrings(v); err == nil && l != nil {
		return strings.Join(l, ",")
	}
	s, _ := scalar(v)
	return s
}

// violation describes how value breaks a constraint, or returns "". The
// value itself is named only when the parameter is not NoEcho.
func violation(p *param, d map[string]any, value string) string {
	shown := strconv.Quote(value)
	if p.noEcho {
		shown = "the value"
	}
	if allowed, err := toStrings(d["AllowedValues"]); err == nil && allowed != nil && !slices.Contains(allowed, value) {
		return fmt.Sprintf("%s is not one of AllowedValues %v", shown, allowed)
	}
	if pattern, ok := d["AllowedPattern"].(string); ok {
		re, err := regexp.Compile("^(?:" + pattern + ")$")
		if err != nil || !re.MatchString(value) {
			return fmt.Sprintf("%s does not match AllowedPattern %s", shown, pattern)
		}
	}
	if n, err := toInt(d["MinLength"]); err == nil && d["MinLength"] != nil && len(value) < n {
		return fmt.Sprintf("%s is shorter than MinLength %d", shown, n)
	}
	if n, err := toInt(d["MaxLength"]); err == nil && d["MaxLength"] != nil && len(value) > n {
		return fmt.Sprintf("%s is longer than MaxLength %d", shown, n)
	}
	if p.typ == "Number" || p.typ == "List<Number>" {
		return numberViolation(d, value, shown)
	}
	return ""
}

func numberViolation(d map[string]any, value, shown string) string {
	f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil {
		return fmt.Sprintf("%s is not a number", shown)
	}
	if s, ok := d["MinValue"].(string); ok {
		if lo, err := strconv.ParseFloat(s, 64); err == nil && f < lo {
			return fmt.Sprintf("%s is below MinValue %s", shown, s)
		}
	}
	if s, ok := d["MaxValue"].(string); ok {
		if hi, err := strconv.ParseFloat(s, 64); err == nil && f > hi {
			return fmt.Sprintf("%s is above MaxValue %s", shown, s)
		}
	}
	return ""
}

// published returns the parameters as the model exposes them.
func published(params map[string]*param) map[string]ResolvedParameter {
	out := make(map[string]ResolvedParameter, len(params))
	for name, p := range params {
		out[name] = ResolvedParameter{Type: p.typ, Value: p.value, NoEcho: p.noEcho}
	}
	return out
}
