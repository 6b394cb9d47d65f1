package samtemplate

import (
	"testing"
)

func TestIntrinsicsResolveToLocalValues(t *testing.T) {
	const lambdaARN = "arn:aws:lambda:us-east-1:123456789012:function:"
	tests := []struct {
		name string
		expr string
		opts Options
		want string
	}{
		{"plain", "hello", Options{}, "hello"},
		{"number stays text", "42", Options{}, "42"},
		{"ref parameter", "!Ref Env", Options{}, "dev"},
		{"ref override", "!Ref Env", Options{Overrides: map[string]string{"Env": "prod"}}, "prod"},
		{"pseudo defaults", "!Sub '${AWS::Region}/${AWS::AccountId}/${AWS::StackName}/${AWS::Partition}/${AWS::URLSuffix}'", Options{}, "us-east-1/123456789012/local/aws/amazonaws.com"},
		{"pseudo from options", "!Sub '${AWS::Region}/${AWS::AccountId}/${AWS::StackName}'", Options{Region: "eu-west-1", AccountID: "111122223333", StackName: "chat"}, "eu-west-1/111122223333/chat"},
		{"sub escape", "!Sub 'literal ${!Env} and ${Env}'", Options{}, "literal ${Env} and dev"},
		{"sub list form", "!Sub ['${A}-${Env}', {A: !Ref Table}]", Options{}, "local-conns-dev"},
		{"sub vars shadow parameters", "!Sub ['${Env}', {Env: mine}]", Options{}, "mine"},
		{"sub getatt", "!Sub '${Named.Arn}'", Options{}, lambdaARN + "custom-name"},
		{"ref function default name", "!Ref Fn", Options{}, "Fn"},
		{"ref function name", "!Ref Named", Options{}, "custom-name"},
		{"getatt string form", "!GetAtt Fn.Arn", Options{}, lambdaARN + "Fn"},
		{"getatt list form", "!GetAtt [Named, Arn]", Options{}, lambdaARN + "custom-name"},
		{"ref table", "!Ref Table", Options{StackName: "s"}, "s-conns"},
		{"table arn", "!GetAtt Table.Arn", Options{}, "arn:aws:dynamodb:us-east-1:123456789012:table/local-conns"},
		{"ref stage", "!Ref ApiStage", Options{}, "live"},
		{"ref api option", "!Ref Api", Options{APIID: "abc123defg"}, "abc123defg"},
		{"api endpoint default", "!GetAtt Api.ApiEndpoint", Options{APIID: "abc123defg"}, "wss://abc123defg.execute-api.us-east-1.amazonaws.com"},
		{"api endpoint option", "!GetAtt Api.ApiEndpoint", Options{APIEndpoint: "ws://127.0.0.1:3000"}, "ws://127.0.0.1:3000"},
		{"api id attribute", "!GetAtt Api.ApiId", Options{APIID: "abc123defg"}, "abc123defg"},
		{"join", "!Join ['-', [a, !Ref Env, !Ref AWS::Region]]", Options{}, "a-dev-us-east-1"},
		{"join list parameter", "!Join ['|', !Ref Names]", Options{}, "a|b|c"},
		{"select", "!Select [1, !Ref Names]", Options{}, "b"},
		{"split", "!Select [2, !Split [',', 'x,y,z']]", Options{}, "z"},
		{"find in map", "!FindInMap [Sizes, !Ref Env, Memory]", Options{}, "256"},
		{"find in map default", "!FindInMap [Sizes, nope, Memory, {DefaultValue: fallback}]", Options{}, "fallback"},
		{"base64", "!Base64 hi", Options{}, "aGk="},
		{"get azs", "!Select [0, !GetAZs '']", Options{}, "us-east-1a"},
		{"if false", "!If [IsProd, yes, no]", Options{}, "no"},
		{"if true", "!If [IsProd, yes, no]", Options{Overrides: map[string]string{"Env": "prod"}}, "yes"},
		{"not condition", "!If [IsDev, dev, other]", Options{}, "dev"},
		{"and", "!If [Both, yes, no]", Options{}, "yes"},
		{"or", "!If [Either, yes, no]", Options{}, "no"},
		{"implicit role", "!GetAtt FnRole.Arn", Options{}, "arn:aws:iam::123456789012:role/FnRole"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := parseString(t, withX(tc.expr), tc.opts)
			if got := tmpl.Functions["Fn"].Environment["X"]; got != tc.want {
				t.Errorf("X = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNoValueRemovesKey(t *testing.T) {
	tmpl := parseString(t, withX("!If [IsProd, set, !Ref AWS::NoValue]"), Options{})
	if v, ok := tmpl.Functions["Fn"].Environment["X"]; ok {
		t.Fatalf("X = %q, want it removed", v)
	}
}

func TestShortAndLongFormsAgree(t *testing.T) {
	pairs := []struct{ short, long string }{
		{"!Ref Env", "{Ref: Env}"},
		{"!Sub '${Env}-x'", `{"Fn::Sub": "${Env}-x"}`},
		{"!Sub ['${A}', {A: !Ref Env}]", `{"Fn::Sub": ["${A}", {A: {Ref: Env}}]}`},
		{"!GetAtt Named.Arn", `{"Fn::GetAtt": [Named, Arn]}`},
		{"!Join [',', [a, b]]", `{"Fn::Join": [",", [a, b]]}`},
		{"!If [IsProd, a, b]", `{"Fn::If": [IsProd, a, b]}`},
		{"!Select [0, !Split [',', 'p,q']]", `{"Fn::Select": ["0", {"Fn::Split": [",", "p,q"]}]}`},
		{"!FindInMap [Sizes, prod, Memory]", `{"Fn::FindInMap": [Sizes, prod, Memory]}`},
		{"!Base64 {Ref: Env}", `{"Fn::Base64": {Ref: Env}}`},
	}
	for _, p := range pairs {
		t.Run(p.short, func(t *testing.T) {
			a := parseString(t, withX(p.short), Options{}).Functions["Fn"].Environment["X"]
			b := parseString(t, withX(p.long), Options{}).Functions["Fn"].Environment["X"]
			if a != b {
				t.Errorf("short form gives %q, long form %q", a, b)
			}
		})
	}
}

func TestShortFormsDecodeToLongForms(t *testing.T) {
	short := `
A: !GetAtt Res.Attr.Sub
B: !Sub [x, {k: !Ref P}]
C: !Equals [!Condition C, "true"]
D: !ImportValue other
`
	long := `
A: {"Fn::GetAtt": [Res, Attr.Sub]}
B: {"Fn::Sub": [x, {k: {Ref: P}}]}
C: {"Fn::Equals": [{Condition: C}, "true"]}
D: {"Fn::ImportValue": other}
`
	a, err := decode([]byte(short))
	if err != nil {
		t.Fatal(err)
	}
	b, err := decode([]byte(long))
	if err != nil {
		t.Fatal(err)
	}
	for k := range b {
		if !equalValues(a[k], b[k]) {
			t.Errorf("%s: short %#v, long %#v", k, a[k], b[k])
		}
	}
}
