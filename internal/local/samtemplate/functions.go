package samtemplate

import (
	"path/filepath"
	"time"
)

// Lambda's defaults for properties a template may leave out.
const (
	defaultTimeout  = 3 * time.Second
	defaultMemoryMB = 128
)

func (r *resolver) functions(dir string, t *Template) (map[string]*Function, error) {
	out := map[string]*Function{}
	for _, res := range r.ofType(serverlessFunction, lambdaFunction) {
		f, err := r.function(res, dir, t)
		if err != nil {
			return nil, err
		}
		out[res.ID] = f
	}
	return out, nil
}

// function reads one function; each step reads one property so an error
// names the property it came from.
func (r *resolver) function(res *resource, dir string, t *Template) (*Function, error) {
	f := &Function{LogicalID: res.ID}
	var err error
	steps := []func() error{
		func() error { f.Name, err = r.physicalID(res); return err },
		func() error { f.CodeURI, err = r.codeURI(res, dir, t); return err },
		func() error { f.Handler, err = r.propString(res, "Handler"); return err },
		func() error { f.Runtime, err = r.propString(res, "Runtime"); return err },
		func() error { f.Architectures, err = r.architectures(res); return err },
		func() error { f.Timeout, err = r.timeout(res); return err },
		func() error { f.MemoryMB, err = r.propInt(res, "MemorySize", defaultMemoryMB); return err },
		func() error { f.Environment, err = r.environment(res); return err },
		func() error { f.BuildMethod, err = r.buildMethod(res); return err },
		func() error { f.LogFormat, err = r.logFormat(res); return err },
		func() error {
			f.ReservedConcurrency, err = r.propInt(res, "ReservedConcurrentExecutions", 0)
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// codeURI finds local code: CodeUri (default the template's directory) for
// SAM functions, a string Code (a packaged local path) for Lambda ones.
func (r *resolver) codeURI(res *resource, dir string, t *Template) (string, error) {
	key := "CodeUri"
	if res.Type == lambdaFunction {
		key = "Code"
	}
	v, err := r.prop(res, key)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return absolute(dir, x), nil
	case nil:
		if res.Type == serverlessFunction && !r.hasAny(res, "InlineCode", "ImageUri") {
			return dir, nil
		}
	}
	t.warn("function %s: code is not a local path; the host cannot run it", res.ID)
	return "", nil
}

func (r *resolver) hasAny(res *resource, keys ...string) bool {
	for _, k := range keys {
		if _, ok := res.Properties[k]; ok {
			return true
		}
	}
	return false
}

func absolute(dir, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(dir, p)
}

func (r *resolver) architectures(res *resource) ([]string, error) {
	archs, err := r.propStrings(res, "Architectures")
	if len(archs) == 0 && err == nil {
		archs = []string{"x86_64"}
	}
	return archs, err
}

func (r *resolver) timeout(res *resource) (time.Duration, error) {
	secs, err := r.propInt(res, "Timeout", int(defaultTimeout/time.Second))
	return time.Duration(secs) * time.Second, err
}

func (r *resolver) environment(res *resource) (map[string]string, error) {
	v, err := r.prop(res, "Environment")
	if err != nil || v == nil {
		return map[string]string{}, err
	}
	m, _ := asMap(v)
	env, err := field(res, "Properties.Environment", m, "Variables", toStringMap)
	if env == nil {
		env = map[string]string{}
	}
	return env, err
}

func (r *resolver) buildMethod(res *resource) (string, error) {
	v, err := r.resolve(res.Metadata["BuildMethod"], "Metadata.BuildMethod")
	if err != nil {
		return "", inResource(res.ID, err)
	}
	s, err := scalar(v)
	if err != nil {
		return "", &Error{Resource: res.ID, Path: "Metadata.BuildMethod", Err: err}
	}
	return s, nil
}

func (r *resolver) logFormat(res *resource) (string, error) {
	v, err := r.prop(res, "LoggingConfig")
	if err != nil || v == nil {
		return "", err
	}
	m, _ := asMap(v)
	return field(res, "Properties.LoggingConfig", m, "LogFormat", scalar)
}
