package gateway

import (
	"testing"
)

func TestSelectRoute(t *testing.T) {
	t.Parallel()
	routes := map[string]Route{"send": {}, "a.b": {}, routeDefault: {}, routeConnect: {}, routeDisconnect: {}}
	noDefault := map[string]Route{"send": {}}
	cases := []struct {
		name, expr, body string
		routes           map[string]Route
		want             string
	}{
		{"match", "$request.body.action", `{"action":"send"}`, routes, "send"},
		{"braces", "${request.body.action}", `{"action":"send"}`, routes, "send"},
		{"nested", "$request.body.meta.kind", `{"meta":{"kind":"send"}}`, routes, "send"},
		{"dotted key value", "$request.body.action", `{"action":"a.b"}`, routes, "a.b"},
		{"unknown route", "$request.body.action", `{"action":"nope"}`, routes, routeDefault},
		{"not json", "$request.body.action", `send`, routes, routeDefault},
		{"missing field", "$request.body.action", `{"other":"send"}`, routes, routeDefault},
		{"number", "$request.body.action", `{"action":1}`, routes, routeDefault},
		{"array on path", "$request.body.meta.kind", `{"meta":["send"]}`, routes, routeDefault},
		{"$connect never selected", "$request.body.action", `{"action":"$connect"}`, routes, routeDefault},
		{"$disconnect never selected", "$request.body.action", `{"action":"$disconnect"}`, routes, routeDefault},
		{"no default", "$request.body.action", `{"action":"nope"}`, noDefault, ""},
		{"case sensitive", "$request.body.action", `{"Action":"send"}`, noDefault, ""},
		{"last duplicate wins", "$request.body.action", `{"action":"nope","action":"send"}`, noDefault, "send"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := selectRoute(tc.expr, []byte(tc.body), tc.routes); got != tc.want {
				t.Errorf("selectRoute = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConfigRejectsUnsupported(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"expression":              {RouteSelectionExpression: "$request.header.x"},
		"authorizer off $connect": {Routes: map[string]Route{"send": {Function: "f", Authorizer: &Authorizer{Function: "a"}}}},
		"identity source":         {Routes: map[string]Route{routeConnect: {Function: "f", Authorizer: &Authorizer{Function: "a", IdentitySources: []string{"context.x"}}}}},
		"no function":             {Routes: map[string]Route{"send": {}}},
		"mock and function":       {Routes: map[string]Route{"ping": {Function: "f", Mock: &Mock{}}}},
		"mock on $connect":        {Routes: map[string]Route{routeConnect: {Mock: &Mock{}}}},
		"mock on $disconnect":     {Routes: map[string]Route{routeDisconnect: {Mock: &Mock{}}}},
	} {
		if _, err := New(cfg, newRecorder(nil)); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

func FuzzRouteSelection(f *testing.F) {
	f.Add("$request.body.action", []byte(`{"action":"send"}`))
	f.Add("$request.body.a.b", []byte(`{"a":{"b":"$connect"}}`))
	f.Add("${request.body.action}", []byte(`not json`))
	f.Add("$request.body.", []byte(`{"":"send"}`))
	routes := map[string]Route{"send": {}, routeDefault: {}, routeConnect: {}, routeDisconnect: {}}
	noDefault := map[string]Route{"send": {}, routeConnect: {}}
	f.Fuzz(func(t *testing.T, expr string, body []byte) {
		if got := selectRoute(expr, body, routes); got != "send" && got != routeDefault {
			t.Fatalf("selectRoute(%q, %q) = %q", expr, body, got)
		}
		if got := selectRoute(expr, body, noDefault); got != "send" && got != "" {
			t.Fatalf("selectRoute without $default (%q, %q) = %q", expr, body, got)
		}
	})
}
