package devhost

import (
	"net/http"
	"net/url"

	"github.com/agentbridge/agentbridge/internal/local/gateway"
)

// router is the table of contents of the local host: every endpoint it serves on its port.
// {stage} is the template's stage name, matched literally; {id} and {name} arrive unescaped,
// so URL-encoded connection ids (R1kmxc2VNjMCFIA%3D) work.
//
//	GET    /{stage}                                  WebSocket upgrade ($connect decides it)
//	       /{stage}                                  anything else there: 426 Upgrade Required
//	POST   /{stage}/@connections/{id}                PostToConnection
//	GET    /{stage}/@connections/{id}                GetConnection
//	DELETE /{stage}/@connections/{id}                DeleteConnection
//	POST   /@connections/{id}                        the same three without the stage
//	GET    /@connections/{id}                          (custom-domain form)
//	DELETE /@connections/{id}
//	POST   /2015-03-31/functions/{name}/invocations  Lambda Invoke (aws lambda invoke, SDKs)
//	GET    /2015-03-31/functions/{name}              Lambda GetFunction
//	       /2015-03-31/...                           anything else: Lambda's 404 (405 for a
//	                                                 known path with another method)
//	GET    /                                         redirects to the console, keeping ?user=
//	GET    /console/                                 the live console (web/console/dist)
//	GET    /console/api/token?user=ID                a development token (loopback callers only)
//	GET    /console/api/connections?user=ID          a user's live connections (loopback only)
//	POST   /console/api/play?user=ID                 plays the example run (loopback only)
//	       /                                         anything else: 403 {"message":"Forbidden"}
//
// HEAD on @connections is forbidden like any other method (ServeMux would hand it to GET).
// Without its own functions (an external Lambda endpoint) the host serves no Lambda API, so
// those paths are forbidden too. The Lambda Runtime API is not here: each function process
// gets its own loopback listener (lambdahost's runtimeapi.go).
func (h *Host) router() http.Handler {
	stage, gw := "/"+h.stage, h.gateway
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+stage, gw.ServeWebSocket)
	mux.HandleFunc(stage, gw.ServeWebSocket)
	mux.HandleFunc("POST "+stage+"/@connections/{id}", gw.PostToConnection)
	mux.HandleFunc("GET "+stage+"/@connections/{id}", gw.GetConnection)
	mux.HandleFunc("DELETE "+stage+"/@connections/{id}", gw.DeleteConnection)
	mux.HandleFunc("HEAD "+stage+"/@connections/{id}", gateway.ServeForbidden)
	mux.HandleFunc("POST /@connections/{id}", gw.PostToConnection)
	mux.HandleFunc("GET /@connections/{id}", gw.GetConnection)
	mux.HandleFunc("DELETE /@connections/{id}", gw.DeleteConnection)
	mux.HandleFunc("HEAD /@connections/{id}", gateway.ServeForbidden)
	if h.lambdas != nil {
		// A mux of its own, so the rest of the prefix gets Lambda's 404 and 405, not the 403.
		lambda := http.NewServeMux()
		lambda.HandleFunc("POST /2015-03-31/functions/{name}/invocations", h.lambdas.ServeInvoke)
		lambda.HandleFunc("GET /2015-03-31/functions/{name}", h.lambdas.ServeGetFunction)
		mux.Handle("/2015-03-31/", lambda)
	}
	if h.console != nil {
		mux.Handle("/console/", h.console)
		// API Gateway answers {"message":"Forbidden"} at the root; locally the root is the console.
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			target := &url.URL{Path: "/console/", RawQuery: r.URL.RawQuery} // keeps ?user=
			http.Redirect(w, r, target.String(), http.StatusFound)
		})
	}
	mux.HandleFunc("/", gateway.ServeForbidden)
	return mux
}
