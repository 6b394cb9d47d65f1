package samtemplate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Load reads the template at path; relative CodeUri values are taken
// relative to its directory.
func Load(path string, opts Options) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load template: %w", err)
	}
	return Parse(data, filepath.Dir(path), opts)
}

// Parse reads a YAML or JSON template. dir is the directory relative
// CodeUri values are resolved against.
func Parse(data []byte, dir string, opts Options) (*Template, error) {
	top, err := decode(data)
	if err != nil {
		return nil, &Error{Err: err}
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("template directory: %w", err)
	}
	r, err := newResolver(top, opts.withDefaults())
	if err != nil {
		return nil, err
	}
	return r.build(absDir)
}

// newResolver prepares sections: resources with Globals merged, parameters,
// and the resources whose Condition is false set aside.
func newResolver(top map[string]any, opts Options) (*resolver, error) {
	resources, err := readResources(top["Resources"])
	if err != nil {
		return nil, err
	}
	applyGlobals(top["Globals"], resources)
	params, err := resolveParameters(top["Parameters"], opts.Overrides, opts.Defaults)
	if err != nil {
		return nil, err
	}
	r := &resolver{
		opts:         opts,
		params:       params,
		resources:    resources,
		disabled:     map[string]bool{},
		condMemo:     map[string]bool{},
		condBusy:     map[string]bool{},
		refMemo:      map[string]string{},
		refBusy:      map[string]bool{},
		functionARNs: map[string]string{},
	}
	r.conditions, _ = asMap(top["Conditions"])
	r.mappings, _ = asMap(top["Mappings"])
	return r, r.dropDisabled()
}

func readResources(section any) (map[string]*resource, error) {
	entries, ok := asMap(section)
	if !ok {
		return nil, &Error{Path: "Resources", Err: errors.New("missing or not a mapping")}
	}
	out := make(map[string]*resource, len(entries))
	for id, e := range entries {
		m, ok := asMap(e)
		typ, _ := m["Type"].(string)
		if !ok || typ == "" {
			return nil, &Error{Resource: id, Err: errors.New("has no Type")}
		}
		res := &resource{ID: id, Type: typ}
		res.Properties, _ = asMap(m["Properties"])
		res.Metadata, _ = asMap(m["Metadata"])
		res.Condition, _ = m["Condition"].(string)
		out[id] = res
	}
	return out, nil
}

// dropDisabled removes resources whose Condition is false, remembering
// them so a reference to one gets a clear error.
func (r *resolver) dropDisabled() error {
	for id, res := range r.resources {
		if res.Condition == "" {
			continue
		}
		holds, err := r.condition(res.Condition)
		if err != nil {
			return inResource(id, atPath("Condition", err))
		}
		if !holds {
			delete(r.resources, id)
			r.disabled[id] = true
		}
	}
	return nil
}

// build resolves the parts of the template the model holds.
func (r *resolver) build(dir string) (*Template, error) {
	t := &Template{Parameters: published(r.params)}
	var err error
	if t.Functions, err = r.functions(dir, t); err != nil {
		return nil, err
	}
	if t.WebSocketAPIs, err = r.webSocketAPIs(t); err != nil {
		return nil, err
	}
	if t.Tables, err = r.tables(); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Template) warn(format string, args ...any) {
	t.Warnings = append(t.Warnings, fmt.Sprintf(format, args...))
}
