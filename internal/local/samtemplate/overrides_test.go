package samtemplate

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseParameterOverrides(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want map[string]string
	}{
		{"key value pairs in one argument", []string{"Stage=prod LogLevel=debug"}, map[string]string{"Stage": "prod", "LogLevel": "debug"}},
		{"separate arguments", []string{"Stage=prod", "LogLevel=debug"}, map[string]string{"Stage": "prod", "LogLevel": "debug"}},
		{"parameter key form", []string{"ParameterKey=Stage,ParameterValue=prod ParameterKey=Names,ParameterValue=a,b"},
			map[string]string{"Stage": "prod", "Names": "a,b"}},
		{"mixed forms", []string{"Stage=prod", "ParameterKey=LogLevel,ParameterValue=warn"}, map[string]string{"Stage": "prod", "LogLevel": "warn"}},
		{"double quotes", []string{`Msg="hello world" Other=x`}, map[string]string{"Msg": "hello world", "Other": "x"}},
		{"single quotes in key form", []string{`ParameterKey=Msg,ParameterValue='a b'`}, map[string]string{"Msg": "a b"}},
		{"value with equals", []string{"Url=https://x/?a=b"}, map[string]string{"Url": "https://x/?a=b"}},
		{"empty value", []string{"Empty="}, map[string]string{"Empty": ""}},
		{"later wins", []string{"A=1 A=2"}, map[string]string{"A": "2"}},
		{"nothing", nil, map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseParameterOverrides(tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseParameterOverridesErrors(t *testing.T) {
	for _, arg := range []string{"novalue", "=x", "Bad-Name=1", `A="unclosed`, "ParameterKey=A,Value=b"} {
		t.Run(arg, func(t *testing.T) {
			if _, err := ParseParameterOverrides([]string{arg}); err == nil {
				t.Fatalf("%q accepted", arg)
			}
		})
	}
}

func TestParseParameterOverridesHidesValues(t *testing.T) {
	_, err := ParseParameterOverrides([]string{`Secret="hunter2`})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("err = %v, want an error that does not echo the value", err)
	}
}

func TestOverridesInBothSyntaxesReachTheTemplate(t *testing.T) {
	for _, args := range [][]string{{"Env=prod"}, {"ParameterKey=Env,ParameterValue=prod"}} {
		overrides, err := ParseParameterOverrides(args)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := parseString(t, withX("!Ref Env"), Options{Overrides: overrides})
		if got := tmpl.Functions["Fn"].Environment["X"]; got != "prod" {
			t.Errorf("%v: X = %q, want prod", args, got)
		}
	}
}

func TestDefaultsApplyOnlyToDeclaredUnsetParameters(t *testing.T) {
	src := `
Parameters:
  Secret: {Type: String, Default: ""}
  Stage: {Type: String, Default: dev}
Resources: {}
`
	tests := []struct {
		name       string
		opts       Options
		wantSecret string
		wantStage  string
	}{
		{"template defaults", Options{}, "", "dev"},
		{"caller default", Options{Defaults: map[string]string{"Secret": "s3"}}, "s3", "dev"},
		{"override wins", Options{Defaults: map[string]string{"Secret": "s3"}, Overrides: map[string]string{"Secret": "o"}}, "o", "dev"},
		{"undeclared ignored", Options{Defaults: map[string]string{"Other": "x", "Stage": "prod"}}, "", "prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := parseString(t, src, tt.opts)
			if got := tmpl.Parameters["Secret"].Value; got != tt.wantSecret {
				t.Errorf("Secret = %q, want %q", got, tt.wantSecret)
			}
			if got := tmpl.Parameters["Stage"].Value; got != tt.wantStage {
				t.Errorf("Stage = %q, want %q", got, tt.wantStage)
			}
		})
	}
}
