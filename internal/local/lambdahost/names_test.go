package lambdahost

import "testing"

func TestSplitFunctionName(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, name, qualifier string }{
		{"EmitFunction", "EmitFunction", ""},
		{"EmitFunction:$LATEST", "EmitFunction", "$LATEST"},
		{"123456789012:function:emit", "emit", ""},
		{"123456789012:function:emit:live", "emit", "live"},
		{"arn:aws:lambda:us-east-1:123456789012:function:emit", "emit", ""},
		{"arn:aws:lambda:us-east-1:123456789012:function:emit:$LATEST", "emit", "$LATEST"},
		{"arn:aws:lambda:us-east-1:123456789012:function:emit:1:extra", "", ""},
		{"a:b:c", "", ""},
	}
	for _, c := range cases {
		name, q := splitFunctionName(c.in)
		if name != c.name || q != c.qualifier {
			t.Errorf("splitFunctionName(%q) = %q, %q; want %q, %q", c.in, name, q, c.name, c.qualifier)
		}
	}
}
