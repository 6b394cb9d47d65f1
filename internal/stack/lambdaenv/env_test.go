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

func TestLoadStream(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    time.Duration
		wantErr string
	}{
		{"default retention", map[string]string{EnvStreamTable: "s"}, DefaultStreamRetention, ""},
		{"fractional hours from the template", map[string]string{EnvStreamTable: "s", EnvStreamRetention: "0.5h"}, 30 * time.Minute, ""},
		{"no table", map[string]string{}, 0, EnvStreamTable},
		{"bad retention", map[string]string{EnvStreamTable: "s", EnvStreamRetention: "24"}, 0, EnvStreamRetention},
		{"zero retention", map[string]string{EnvStreamTable: "s", EnvStreamRetention: "0h"}, 0, EnvStreamRetention},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadStream(env(tt.env))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Retention != tt.want || got.Table != "s" {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
}
