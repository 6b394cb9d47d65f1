package samtemplate

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Decoded templates are plain values: map[string]any, []any, string, or nil.
// Every scalar stays a string because CloudFormation itself compares and
// substitutes values as strings; typed reads (ints, bools) happen in
// values.go where the model needs them.

// shortForms maps CloudFormation's YAML short-form tags to the long-form
// key they stand for.
var shortForms = map[string]string{
	"!Ref":          "Ref",
	"!Condition":    "Condition",
	"!Sub":          "Fn::Sub",
	"!GetAtt":       "Fn::GetAtt",
	"!Join":         "Fn::Join",
	"!If":           "Fn::If",
	"!Select":       "Fn::Select",
	"!Split":        "Fn::Split",
	"!Equals":       "Fn::Equals",
	"!Not":          "Fn::Not",
	"!And":          "Fn::And",
	"!Or":           "Fn::Or",
	"!FindInMap":    "Fn::FindInMap",
	"!Base64":       "Fn::Base64",
	"!GetAZs":       "Fn::GetAZs",
	"!ImportValue":  "Fn::ImportValue",
	"!Cidr":         "Fn::Cidr",
	"!Transform":    "Fn::Transform",
	"!Length":       "Fn::Length",
	"!ToJsonString": "Fn::ToJsonString",
}

// decode parses a YAML or JSON template (JSON is read as YAML, of which it
// is a subset) into a plain top-level map.
func decode(data []byte) (map[string]any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, errors.New("decode template: empty document")
	}
	v, err := fromNode(doc.Content[0])
	if err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	top, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("decode template: top level is not a mapping")
	}
	return top, nil
}

// fromNode converts one YAML node, turning short-form tags into long forms.
func fromNode(n *yaml.Node) (any, error) {
	if n.Kind == yaml.AliasNode {
		return fromNode(n.Alias)
	}
	v, err := plainNode(n)
	if err != nil {
		return nil, err
	}
	tag := n.Tag
	if tag == "" || strings.HasPrefix(tag, "!!") {
		return v, nil
	}
	long, ok := shortForms[tag]
	if !ok {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, tag)
	}
	if long == "Fn::GetAtt" && n.Kind == yaml.ScalarNode {
		v = splitGetAtt(n.Value)
	}
	return map[string]any{long: v}, nil
}

// plainNode converts a node ignoring its tag.
func plainNode(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		return mappingNode(n)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromNode(c)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return nil, nil
		}
		return n.Value, nil
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func mappingNode(n *yaml.Node) (map[string]any, error) {
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
		}
		val, err := fromNode(v)
		if err != nil {
			return nil, err
		}
		m[k.Value] = val
	}
	return m, nil
}

// splitGetAtt turns the short string form "Res.Attr.Sub" into
// [Res, Attr.Sub]: the logical id cannot contain dots, the attribute can.
func splitGetAtt(s string) []any {
	res, attr, _ := strings.Cut(s, ".")
	return []any{res, attr}
}
