package samtemplate

import (
	"errors"
	"fmt"
	"reflect"
)

// condition evaluates a named entry of the Conditions section, memoised.
func (r *resolver) condition(name string) (bool, error) {
	if v, ok := r.condMemo[name]; ok {
		return v, nil
	}
	raw, ok := r.conditions[name]
	if !ok {
		return false, fmt.Errorf("condition %s is not declared", name)
	}
	if r.condBusy[name] {
		return false, fmt.Errorf("condition %s refers to itself", name)
	}
	r.condBusy[name] = true
	defer delete(r.condBusy, name)
	holds, err := r.evalCondition(raw)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			err = &Error{Path: "Conditions." + name, Err: err}
		}
		return false, err
	}
	r.condMemo[name] = holds
	return holds, nil
}

// evalCondition evaluates a condition function: Fn::Equals, Fn::Not,
// Fn::And, Fn::Or or Condition.
func (r *resolver) evalCondition(v any) (bool, error) {
	m, ok := asMap(v)
	if !ok || len(m) != 1 {
		return false, errors.New("expected a condition function")
	}
	for name, arg := range m {
		switch name {
		case "Condition":
			s, ok := arg.(string)
			if !ok {
				return false, errors.New("Condition: argument is not a name")
			}
			return r.condition(s)
		case "Fn::Equals":
			return r.fnEquals(arg)
		case "Fn::Not":
			return r.combine(name, arg, 1, 1, func(a, _ bool) bool { return !a })
		case "Fn::And":
			return r.combine(name, arg, 2, 10, func(a, b bool) bool { return a && b })
		case "Fn::Or":
			return r.combine(name, arg, 2, 10, func(a, b bool) bool { return a || b })
		}
		return false, fmt.Errorf("%s is not a condition function", name)
	}
	return false, nil
}

func (r *resolver) fnEquals(arg any) (bool, error) {
	l, err := r.args(arg, 2, 2)
	if err != nil {
		return false, fmt.Errorf("Fn::Equals: %w", err)
	}
	return reflect.DeepEqual(l[0], l[1]), nil
}

// combine evaluates each operand and folds them with op; Fn::Not folds
// its single operand with op(a, a).
func (r *resolver) combine(name string, arg any, min, max int, op func(a, b bool) bool) (bool, error) {
	l, ok := asList(arg)
	if !ok || len(l) < min || len(l) > max {
		return false, fmt.Errorf("%s: expected %d to %d conditions", name, min, max)
	}
	var acc bool
	for i, c := range l {
		v, err := r.evalCondition(c)
		if err != nil {
			return false, err
		}
		if i == 0 {
			acc = v
			if len(l) == 1 {
				acc = op(v, v)
			}
			continue
		}
		acc = op(acc, v)
	}
	return acc, nil
}
