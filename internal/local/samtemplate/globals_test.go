package samtemplate

import (
	"reflect"
	"testing"
	"time"
)

func TestGlobalsMergeLikeSAM(t *testing.T) {
	src := `
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Timeout: 30
    Architectures: [arm64]
    Environment:
      Variables:
        SHARED: global
        OVERRIDDEN: global
Resources:
  Inherits:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: a
  Overrides:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: b
      Timeout: 5
      Handler: !Sub "${AWS::Region}-handler"
      Architectures: [x86_64]
      Environment:
        Variables:
          OVERRIDDEN: local
          OWN: mine
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Code: c
`
	tmpl := parseString(t, src, Options{})
	tests := []struct {
		fn      string
		timeout time.Duration
		handler string
		runtime string
		archs   []string
		env     map[string]string
	}{
		{"Inherits", 30 * time.Second, "bootstrap", "provided.al2023", []string{"arm64"},
			map[string]string{"SHARED": "global", "OVERRIDDEN": "global"}},
		// Scalars (and intrinsics) override, maps merge, lists append.
		{"Overrides", 5 * time.Second, "us-east-1-handler", "provided.al2023", []string{"arm64", "x86_64"},
			map[string]string{"SHARED": "global", "OVERRIDDEN": "local", "OWN": "mine"}},
		// Globals apply only to AWS::Serverless::Function; Lambda defaults apply.
		{"Plain", 3 * time.Second, "", "", []string{"x86_64"}, map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			f := tmpl.Functions[tc.fn]
			if f.Timeout != tc.timeout || f.Handler != tc.handler || f.Runtime != tc.runtime {
				t.Errorf("got timeout %v handler %q runtime %q", f.Timeout, f.Handler, f.Runtime)
			}
			if !reflect.DeepEqual(f.Architectures, tc.archs) {
				t.Errorf("Architectures = %v, want %v", f.Architectures, tc.archs)
			}
			if !reflect.DeepEqual(f.Environment, tc.env) {
				t.Errorf("Environment = %v, want %v", f.Environment, tc.env)
			}
		})
	}
}

func TestMergeGlobal(t *testing.T) {
	tests := []struct {
		name          string
		global, local any
		want          any
	}{
		{"scalar overridden", "g", "l", "l"},
		{"absent inherits", "g", nil, "g"},
		{"lists appended", []any{"a"}, []any{"b"}, []any{"a", "b"}},
		{"maps merged deeply",
			map[string]any{"V": map[string]any{"A": "g", "B": "g"}},
			map[string]any{"V": map[string]any{"B": "l", "C": "l"}},
			map[string]any{"V": map[string]any{"A": "g", "B": "l", "C": "l"}}},
		{"intrinsic replaces map",
			map[string]any{"A": "g"},
			map[string]any{"Fn::If": []any{"C", "x", "y"}},
			map[string]any{"Fn::If": []any{"C", "x", "y"}}},
		{"kind mismatch local wins", []any{"a"}, "s", "s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := mergeGlobal(tc.global, tc.local); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %#v, want %#v", got, tc.want)
			}
		})
	}
}
