package lambdaenv

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestLoadStore(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantTTL time.Duration
		wantErr string
	}{
		{"defaults", map[string]string{EnvTable: "t"}, DefaultConnectionTTL, ""},
		{"ttl", map[string]string{EnvTable: "t", EnvConnectionTTL: "3h"}, 3 * time.Hour, ""},
		{"no table", map[string]string{}, 0, EnvTable},
		{"bad ttl", map[string]string{EnvTable: "t", EnvConnectionTTL: "soon"}, 0, EnvConnectionTTL},
		{"negative ttl", map[string]string{EnvTable: "t", EnvConnectionTTL: "-1h"}, 0, EnvConnectionTTL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadStore(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.TTL != tt.wantTTL || got.Table != "t" {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}

func TestLoadManagementEndpoint(t *testing.T) {
	if _, err := LoadManagementEndpoint(env(nil)); err == nil || !strings.Contains(err.Error(), EnvManagementEndpoint) {
		t.Fatalf("err = %v", err)
	}
	if e, err := LoadManagementEndpoint(env(map[string]string{EnvManagementEndpoint: "https://x/dev"})); err != nil || e != "https://x/dev" {
		t.Fatalf("got %q, %v", e, err)
	}
}
