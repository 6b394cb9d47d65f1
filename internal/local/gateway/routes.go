package gateway

import (
	"encoding/json"
	"strings"
)

// bodyPath extracts the dotted JSON path from a route selection expression such as
// "$request.body.action" or "${request.body.detail.kind}".
func bodyPath(expr string) ([]string, bool) {
	if inner, ok := strings.CutPrefix(expr, "${"); ok {
		inner, ok = strings.CutSuffix(inner, "}")
		if !ok {
			return nil, false
		}
		expr = "$" + inner
	}
	path, ok := strings.CutPrefix(expr, "$request.body.")
	if !ok || path == "" {
		return nil, false
	}
	parts := strings.Split(path, ".")
	for _, p := range parts {
		if p == "" {
			return nil, false
		}
	}
	return parts, true
}

// selectRoute returns the route key a message goes to, or "" when there is none and
// no $default either. It never returns $connect or $disconnect: those routes belong
// to the connection's lifecycle, not to message content.
func selectRoute(expr string, body []byte, routes map[string]Route) string {
	key := routeKeyFromBody(expr, body)
	if key != "" && key != routeConnect && key != routeDisconnect {
		if _, ok := routes[key]; ok {
			return key
		}
	}
	if _, ok := routes[routeDefault]; ok {
		return routeDefault
	}
	return ""
}

// routeKeyFromBody evaluates the expression against a JSON body; "" when the body is
// not JSON, the path is missing, or the value there is not a string.
func routeKeyFromBody(expr string, body []byte) string {
	path, ok := bodyPath(expr)
	if !ok {
		return ""
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	for _, field := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		if v, ok = obj[field]; !ok {
			return ""
		}
	}
	key, _ := v.(string)
	return key
}
