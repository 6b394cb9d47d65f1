package samtemplate

import (
	"os"
	"path/filepath"
	"testing"
)

// TestProjectTemplate loads the repository's own template.yaml, so a change
// there that the local host could not run fails here first.
func TestProjectTemplate(t *testing.T) {
	path := filepath.Join("..", "..", "..", "template.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no project template: %v", err)
	}
	tmpl, err := Load(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("functions %d, WebSocket APIs %d, tables %d, warnings %v",
		len(tmpl.Functions), len(tmpl.WebSocketAPIs), len(tmpl.Tables), tmpl.Warnings)
	for id, f := range tmpl.Functions {
		if !filepath.IsAbs(f.CodeURI) {
			t.Errorf("function %s: CodeURI %q is not absolute", id, f.CodeURI)
		}
	}
	if len(tmpl.WebSocketAPIs) == 0 {
		t.Error("no WebSocket API")
	}
	for _, api := range tmpl.WebSocketAPIs {
		for key, route := range api.Routes {
			if route.Function != "" && tmpl.Functions[route.Function] == nil {
				t.Errorf("route %s targets unknown function %s", key, route.Function)
			}
		}
	}
}
