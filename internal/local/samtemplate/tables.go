package samtemplate

import (
	"fmt"
	"strings"
)

func (r *resolver) tables() ([]*Table, error) {
	var out []*Table
	for _, res := range r.ofType(dynamoTable, simpleTable) {
		build := r.dynamoTable
		if res.Type == simpleTable {
			build = r.simpleTable
		}
		t, err := build(res)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (r *resolver) dynamoTable(res *resource) (*Table, error) {
	t := &Table{LogicalID: res.ID}
	var err error
	if t.Name, err = r.physicalID(res); err != nil {
		return nil, err
	}
	if t.KeySchema, err = propAs(r, res, "KeySchema", keySchema); err != nil {
		return nil, err
	}
	if t.Attributes, err = propAs(r, res, "AttributeDefinitions", attributes); err != nil {
		return nil, err
	}
	if t.GlobalSecondaryIndexes, err = propAs(r, res, "GlobalSecondaryIndexes", indexes); err != nil {
		return nil, err
	}
	if t.LocalSecondaryIndexes, err = propAs(r, res, "LocalSecondaryIndexes", indexes); err != nil {
		return nil, err
	}
	if t.TTLAttribute, err = propAs(r, res, "TimeToLiveSpecification", ttlAttribute); err != nil {
		return nil, err
	}
	if t.BillingMode, err = r.propString(res, "BillingMode"); t.BillingMode == "" {
		t.BillingMode = "PROVISIONED" // CloudFormation's default
	}
	return t, err
}

// simpleTable expands SAM's SimpleTable the way SAM does: one hash key
// (default id of type String), on-demand unless throughput is provisioned.
func (r *resolver) simpleTable(res *resource) (*Table, error) {
	t := &Table{LogicalID: res.ID, BillingMode: "PAY_PER_REQUEST"}
	var err error
	if t.Name, err = r.physicalID(res); err != nil {
		return nil, err
	}
	pk, err := propAs(r, res, "PrimaryKey", toStringMap)
	if err != nil {
		return nil, err
	}
	name, typ := pk["Name"], pk["Type"]
	if name == "" {
		name = "id"
	}
	t.KeySchema = []KeyElement{{AttributeName: name, KeyType: "HASH"}}
	t.Attributes = []AttributeDefinition{{AttributeName: name, AttributeType: simpleType(typ)}}
	if pt, err := r.prop(res, "ProvisionedThroughput"); err != nil || pt != nil {
		t.BillingMode = "PROVISIONED"
		return t, err
	}
	return t, nil
}

// simpleType maps SimpleTable's String, Number, Binary to S, N, B.
func simpleType(typ string) string {
	switch strings.ToLower(typ) {
	case "number":
		return "N"
	case "binary":
		return "B"
	}
	return "S"
}

// decodeList reads a resolved list of mappings with one element decoder.
func decodeList[T any](v any, elem func(map[string]any) (T, error)) ([]T, error) {
	if v == nil {
		return nil, nil
	}
	l, ok := asList(v)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %s", kindOf(v))
	}
	out := make([]T, 0, len(l))
	for i, e := range l {
		m, ok := asMap(e)
		if !ok {
			return nil, fmt.Errorf("[%d]: expected a mapping, got %s", i, kindOf(e))
		}
		x, err := elem(m)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out = append(out, x)
	}
	return out, nil
}

func keySchema(v any) ([]KeyElement, error) {
	return decodeList(v, func(m map[string]any) (KeyElement, error) {
		name, err1 := scalar(m["AttributeName"])
		typ, err2 := scalar(m["KeyType"])
		return KeyElement{AttributeName: name, KeyType: typ}, firstErr(err1, err2)
	})
}

func attributes(v any) ([]AttributeDefinition, error) {
	return decodeList(v, func(m map[string]any) (AttributeDefinition, error) {
		name, err1 := scalar(m["AttributeName"])
		typ, err2 := scalar(m["AttributeType"])
		return AttributeDefinition{AttributeName: name, AttributeType: typ}, firstErr(err1, err2)
	})
}

func indexes(v any) ([]Index, error) {
	return decodeList(v, func(m map[string]any) (Index, error) {
		var ix Index
		var err1, err2, err3, err4 error
		ix.Name, err1 = scalar(m["IndexName"])
		ix.KeySchema, err2 = keySchema(m["KeySchema"])
		proj, _ := asMap(m["Projection"])
		ix.ProjectionType, err3 = scalar(proj["ProjectionType"])
		ix.NonKeyAttributes, err4 = toStrings(proj["NonKeyAttributes"])
		return ix, firstErr(err1, err2, err3, err4)
	})
}

func ttlAttribute(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	m, ok := asMap(v)
	if !ok {
		return "", fmt.Errorf("expected a mapping, got %s", kindOf(v))
	}
	enabled, err := toBool(m["Enabled"])
	if err != nil || !enabled {
		return "", err
	}
	return scalar(m["AttributeName"])
}
