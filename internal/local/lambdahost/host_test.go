package lambdahost

import (
	"errors"
	"strings"
	"testing"
)

func TestRegisterRejectsDuplicateNames(t *testing.T) {
	t.Parallel()
	h := newHost(t, Config{}, FunctionSpec{Name: "agentbridge-emit", Aliases: []string{"EmitFunction"}})
	cases := []FunctionSpec{
		{Name: "EmitFunction", Executable: testFn},
		{Name: "other", Aliases: []string{"agentbridge-emit"}, Executable: testFn},
		{Name: "", Executable: testFn},
		{Name: "noexe"},
	}
	for _, s := range cases {
		if err := h.Register(s); err == nil {
			t.Errorf("Register(%+v) succeeded", s)
		}
	}
}

func TestInvokeAsyncRunsInTheBackground(t *testing.T) {
	t.Parallel()
	var out syncBuffer
	h := newHost(t, Config{Output: &out}, FunctionSpec{Name: "Async"})
	if err := h.InvokeAsync("Async", []byte(`{"action":"print","data":"later"}`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the async invocation's output", func() bool {
		return strings.Contains(out.String(), "[Async] to stdout: later")
	})
	big := []byte(`"` + strings.Repeat("x", MaxAsyncPayload) + `"`)
	if err := h.InvokeAsync("Async", big); !errors.Is(err, ErrRequestTooLarge) {
		t.Fatalf("oversized async payload: %v", err)
	}
}
