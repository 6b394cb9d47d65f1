package samtemplate

// globalSections maps a Globals section to the resource type it applies to.
var globalSections = map[string]string{
	"Function":    serverlessFunction,
	"SimpleTable": simpleTable,
}

// applyGlobals merges the Globals section into resources' Properties
// before anything is resolved, as SAM does.
func applyGlobals(globals any, resources map[string]*resource) {
	sections, _ := asMap(globals)
	for section, typ := range globalSections {
		g, ok := asMap(sections[section])
		if !ok {
			continue
		}
		for _, res := range resources {
			if res.Type == typ {
				res.Properties = mergeGlobal(g, res.Properties).(map[string]any)
			}
		}
	}
}

// mergeGlobal follows SAM's documented rules: the resource's scalar wins,
// mappings merge key by key, lists are the global entries followed by the
// resource's. An intrinsic function counts as a scalar, and a resource
// value of a different kind replaces the global one.
func mergeGlobal(global, local any) any {
	if local == nil {
		return global
	}
	gm, gMap := plainMap(global)
	lm, lMap := plainMap(local)
	if gMap && lMap {
		out := make(map[string]any, len(gm)+len(lm))
		for k, v := range gm {
			out[k] = v
		}
		for k, v := range lm {
			out[k] = mergeGlobal(gm[k], v)
		}
		return out
	}
	gl, gList := asList(global)
	ll, lList := asList(local)
	if gList && lList {
		return append(append([]any{}, gl...), ll...)
	}
	return local
}

// plainMap returns v as a mapping unless it is an intrinsic function call.
func plainMap(v any) (map[string]any, bool) {
	if _, ok := intrinsicName(v); ok {
		return nil, false
	}
	return asMap(v)
}
