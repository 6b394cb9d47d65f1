package samtemplate

import (
	"fmt"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue resolves to; maps and lists drop it.
type noValueType struct{}

var noValue = noValueType{}

// asMap returns v as a mapping.
func asMap(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	return m, ok
}

// asList returns v as a sequence.
func asList(v any) ([]any, bool) {
	l, ok := v.([]any)
	return l, ok
}

// intrinsicName returns the function name when m is an intrinsic function
// call: a one-key mapping whose key is Ref or starts with Fn::.
func intrinsicName(v any) (string, bool) {
	m, ok := asMap(v)
	if !ok || len(m) != 1 {
		return "", false
	}
	for k := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, true
		}
	}
	return "", false
}

// scalar returns a resolved value as a string, failing for lists and maps.
func scalar(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("expected a string, got %s", kindOf(v))
}

func toInt(v any) (int, error) {
	s, err := scalar(v)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("expected an integer, got %q", s)
	}
	return n, nil
}

func toBool(v any) (bool, error) {
	s, err := scalar(v)
	if err != nil {
		return false, err
	}
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	if err != nil {
		return false, fmt.Errorf("expected true or false, got %q", s)
	}
	return b, nil
}

// toStrings reads a resolved list of scalars.
func toStrings(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	l, ok := asList(v)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %s", kindOf(v))
	}
	out := make([]string, 0, len(l))
	for i, e := range l {
		s, err := scalar(e)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// toStringMap reads a resolved mapping of scalars.
func toStringMap(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := asMap(v)
	if !ok {
		return nil, fmt.Errorf("expected a mapping, got %s", kindOf(v))
	}
	out := make(map[string]string, len(m))
	for k, e := range m {
		s, err := scalar(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = s
	}
	return out, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return "a string"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// joinPath appends a key to a dotted property path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
