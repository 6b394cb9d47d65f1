package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateID(t *testing.T) {
	tests := []struct {
		id string
		ok bool
	}{
		{"alice", true},
		{"user-42@example.com", true},
		{"ünïcödé", true},
		{strings.Repeat("a", MaxIDLength), true},
		{strings.Repeat("é", MaxIDLength), true},
		{"", false},
		{strings.Repeat("a", MaxIDLength+1), false},
		{" alice", false},
		{"alice ", false},
		{"al ice", false},
		{"alice\t", false},
		{"alice\x00", false},
		{"alice\n", false},
		{"ali\u200bce", false},
		{"\ufeffalice", false},
		{"alice\u202e", false},
		{"\xff\xfe", false},
	}
	for _, tt := range tests {
		err := ValidateID(tt.id)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateID(%q) = %v, want ok=%v", tt.id, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidID) {
			t.Errorf("ValidateID(%q) error does not wrap ErrInvalidID", tt.id)
		}
	}
}

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"", true},
		{"Research Agent", true},
		{"👩‍🔬 researcher", true},
		{strings.Repeat("n", MaxIDLength+1), false},
		{"agent\x07", false},
		{"\xc3", false},
	}
	for _, tt := range tests {
		if err := ValidateName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestRetryable(t *testing.T) {
	for typ, want := range map[string]bool{
		ErrorTypeValidation: false, ErrorTypePayloadTooLarge: false, ErrorTypeFanoutTooLarge: false, ErrorTypeUnavailable: true, "Sandbox.Timedout": true,
	} {
		if got := Retryable(typ); got != want {
			t.Errorf("Retryable(%q) = %v, want %v", typ, got, want)
		}
	}
}

func TestKnownEventTypes(t *testing.T) {
	for _, typ := range EventTypes {
		if !typ.Known() {
			t.Errorf("%s not known", typ)
		}
	}
	if EventType("agent_Started").Known() {
		t.Error("event types must match case-sensitively")
	}
}
