package samtemplate

import (
	"fmt"
	"strings"
	"unicode"
)

// ParseParameterOverrides reads SAM CLI's --parameter-overrides values.
// Each argument holds one or more whitespace-separated pairs, in either
// form: Key=Value or ParameterKey=Key,ParameterValue=Value. Values may be
// wrapped in single or double quotes to contain spaces. A later pair for
// the same key wins, as with the SAM CLI.
func ParseParameterOverrides(args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, arg := range args {
		tokens, err := splitQuoted(arg)
		if err != nil {
			return nil, fmt.Errorf("parameter overrides: %w", err)
		}
		for i, tok := range tokens {
			k, v, err := parsePair(tok)
			if err != nil {
				return nil, fmt.Errorf("parameter overrides: pair %d: %w", i+1, err)
			}
			out[k] = v
		}
	}
	return out, nil
}

// parsePair reads one already-unquoted pair.
func parsePair(tok string) (string, string, error) {
	if rest, ok := strings.CutPrefix(tok, "ParameterKey="); ok {
		key, value, ok := strings.Cut(rest, ",ParameterValue=")
		if !ok {
			name, _, _ := strings.Cut(rest, ",")
			return "", "", fmt.Errorf("ParameterKey=%s has no ,ParameterValue=", name)
		}
		return key, value, validKey(key)
	}
	key, value, ok := strings.Cut(tok, "=")
	if !ok {
		// tok is not quoted back: it may be a misplaced secret value.
		return "", "", fmt.Errorf("not Key=Value")
	}
	return key, value, validKey(key)
}

// validKey checks CloudFormation's rule that parameter names are
// alphanumeric.
func validKey(key string) error {
	if key == "" {
		return fmt.Errorf("empty parameter name")
	}
	for _, c := range key {
		if c > unicode.MaxASCII || !(unicode.IsLetter(c) || unicode.IsDigit(c)) {
			return fmt.Errorf("parameter name %q is not alphanumeric", key)
		}
	}
	return nil
}

// splitQuoted splits s at unquoted whitespace and removes the quotes, so
// Key="a b" is one token Key=a b.
func splitQuoted(s string) ([]string, error) {
	var tokens []string
	var cur strings.Builder
	var quote rune
	inToken := false
	for _, c := range s {
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(c)
		case c == '"' || c == '\'':
			quote, inToken = c, true
		case unicode.IsSpace(c):
			if inToken {
				tokens = append(tokens, cur.String())
				cur.Reset()
				inToken = false
			}
		default:
			cur.WriteRune(c)
			inToken = true
		}
	}
	if quote != 0 {
		// s is not quoted back: it may hold a secret value.
		return nil, fmt.Errorf("unclosed %c quote", quote)
	}
	if inToken {
		tokens = append(tokens, cur.String())
	}
	return tokens, nil
}
