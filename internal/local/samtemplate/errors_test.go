package samtemplate

import (
	"errors"
	"strings"
	"testing"
)

func TestErrorsNameResourceAndProperty(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts Options
		want string // the full error message
	}{
		{
			name: "import value",
			src:  withX("!ImportValue shared-output"),
			want: "resource Fn: Properties.Environment.Variables.X: Fn::ImportValue is not supported locally",
		},
		{
			name: "import value nested in sub",
			src:  withX("!Sub ['${V}', {V: !ImportValue shared-output}]"),
			want: "resource Fn: Properties.Environment.Variables.X: Fn::ImportValue is not supported locally",
		},
		{
			name: "ref to undeclared name",
			src:  withX("!Ref Missing"),
			want: "resource Fn: Properties.Environment.Variables.X: Ref: Missing is not a parameter or resource of the template",
		},
		{
			name: "unknown condition",
			src:  withX("!If [Nope, a, b]"),
			want: "resource Fn: Properties.Environment.Variables.X: Fn::If: condition Nope is not declared",
		},
		{
			name: "select out of range",
			src:  withX("!Select [5, !Ref Names]"),
			want: "resource Fn: Properties.Environment.Variables.X: Fn::Select: index 5 out of range for 3 elements",
		},
		{
			name: "list where a string is needed",
			src:  withX("!Ref Names"),
			want: "resource Fn: Properties.Environment.Variables: X: expected a string, got a list",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.src), "/project", tc.opts)
			if err == nil {
				t.Fatal("Parse succeeded, want an error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Resource != "Fn" {
				t.Errorf("error %#v is not an *Error for resource Fn", err)
			}
		})
	}
}

func TestUnsupportedErrorIsTyped(t *testing.T) {
	_, err := Parse([]byte(withX("!ImportValue x")), "/p", Options{})
	var u *UnsupportedError
	if !errors.As(err, &u) || u.Feature != "Fn::ImportValue" {
		t.Fatalf("err = %v, want *UnsupportedError for Fn::ImportValue", err)
	}
}

func TestParameterErrors(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		extra     string // extra parameter declarations
		wantErr   error
		wantParam string
		mustNot   string // text the message must not contain
	}{
		{name: "missing value", extra: "  Required:\n    Type: String\n", wantErr: ErrNoValue, wantParam: "Required"},
		{name: "allowed values", overrides: map[string]string{"Env": "staging"}, wantErr: ErrNotAllowed, wantParam: "Env"},
		{name: "unknown override", overrides: map[string]string{"Nope": "1"}, wantErr: ErrUnknownParameter, wantParam: "Nope"},
		{
			name:      "no echo value never printed",
			extra:     "  Key:\n    Type: String\n    NoEcho: true\n    AllowedPattern: '[a-z]+'\n",
			overrides: map[string]string{"Key": "TOPSECRET42"},
			wantErr:   ErrNotAllowed, wantParam: "Key", mustNot: "TOPSECRET42",
		},
		{
			name:      "number type",
			extra:     "  Count:\n    Type: Number\n    MaxValue: 10\n",
			overrides: map[string]string{"Count": "eleven"},
			wantErr:   ErrNotAllowed, wantParam: "Count",
		},
		{
			name:      "number bound",
			extra:     "  Count:\n    Type: Number\n    MaxValue: 10\n",
			overrides: map[string]string{"Count": "11"},
			wantErr:   ErrNotAllowed, wantParam: "Count",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(withX("x"), "Parameters:\n", "Parameters:\n"+tc.extra, 1)
			_, err := Parse([]byte(src), "/p", Options{Overrides: tc.overrides})
			var pe *ParameterError
			if !errors.Is(err, tc.wantErr) || !errors.As(err, &pe) || pe.Name != tc.wantParam {
				t.Fatalf("err = %v, want %v for parameter %s", err, tc.wantErr, tc.wantParam)
			}
			if !strings.Contains(err.Error(), "Parameters."+tc.wantParam) {
				t.Errorf("error %q does not name the parameter", err)
			}
			if tc.mustNot != "" && strings.Contains(err.Error(), tc.mustNot) {
				t.Errorf("error %q leaks a NoEcho value", err)
			}
		})
	}
}

func TestNoEchoParameterIsFlagged(t *testing.T) {
	tmpl := parseString(t, withX("!Ref Secret"), Options{})
	p := tmpl.Parameters["Secret"]
	if !p.NoEcho || p.Value != "s3cr3t" || p.String() != "****" {
		t.Fatalf("Secret = %+v (String %q), want NoEcho, resolved, redacted", p, p.String())
	}
	if tmpl.Functions["Fn"].Environment["X"] != "s3cr3t" {
		t.Fatal("NoEcho parameter not resolved into the environment")
	}
}

func TestUnusedResourcesMayHoldUnsupportedIntrinsics(t *testing.T) {
	src := withX("ok") + `
  Permission:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !ImportValue elsewhere
      Weird: !GetAtt Nothing.Here
Outputs:
  Out:
    Value: !ImportValue other
`
	parseString(t, src, Options{})
}

func TestCircularReferenceIsAnError(t *testing.T) {
	src := `
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${B}-a"
  B:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: !Sub "${A}-b"
`
	_, err := Parse([]byte(src), "/p", Options{})
	if err == nil || !strings.Contains(err.Error(), "circular reference") {
		t.Fatalf("err = %v, want a circular reference error", err)
	}
}

func TestUnknownTagIsAnError(t *testing.T) {
	_, err := Parse([]byte("Resources:\n  A: !Bogus x\n"), "/p", Options{})
	if err == nil || !strings.Contains(err.Error(), "unknown tag !Bogus") {
		t.Fatalf("err = %v, want unknown tag error", err)
	}
}
