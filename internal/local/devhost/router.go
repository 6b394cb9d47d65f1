package devhost

import (
	"net/http"
	"net/url"
)

// router is the table of contents of the local host: every endpoint it serves on its port.
//
//	POST /2015-03-31/functions/{name}/invocations  Lambda Invoke API (aws lambda invoke, SDKs)
//	GET  /2015-03-31/functions/{name}              Lambda GetFunction
//	GET  /{stage}                                  WebSocket endpoint ($connect before upgrade)
//	POST|GET|DELETE /{stage}/@connections/{id}     API Gateway Management API
//	POST|GET|DELETE /@connections/{id}             the same, without the stage
//	GET  /                                         redirects to the console
//	GET  /console/                                 the live console (web/console/dist)
//	GET  /console/api/token?user=ID                a development token, loopback callers only
//	GET  /console/api/connections?user=ID          a user's live connections, loopback only
//	POST /console/api/play?user=ID                 plays the example run, loopback only
//
// The Lambda Runtime API is not here: each function process gets its own loopback listener.
func (h *Host) router() http.Handler {
	mux := http.NewServeMux()
	if h.lambdas != nil {
		mux.Handle("/2015-03-31/", h.lambdas.Handler())
	}
	if h.console != nil {
		mux.Handle("/console/", h.console)
		// API Gateway answers {"message":"Forbidden"} at the root; locally the root is the console.
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			target := &url.URL{Path: "/console/", RawQuery: r.URL.RawQuery} // keeps ?user=
			http.Redirect(w, r, target.String(), http.StatusFound)
		})
	}
	mux.Handle("/", h.gateway.Handler())
	return mux
}
