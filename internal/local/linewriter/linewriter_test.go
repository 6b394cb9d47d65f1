package linewriter

import (
	"strings"
	"testing"
)

func TestWriterSplitsLines(t *testing.T) {
	var got []string
	w := New(func(s string) { got = append(got, s) })
	for _, chunk := range []string{"one\ntw", "o\r\n", "", "thr", "ee"} {
		_, _ = w.Write([]byte(chunk))
	}
	w.Flush()
	_, _ = w.Write([]byte(strings.Repeat("x", MaxLineBytes+1)))
	w.Flush()
	want := []string{"one", "two", "three", strings.Repeat("x", MaxLineBytes), "x"}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %.20q, want %.20q", i, got[i], want[i])
		}
	}
}
