package devhost

import "net/http"

// router is the table of contents of the local host: every endpoint it serves on its port.
//
//	POST /2015-03-31/functions/{name}/invocations  Lambda Invoke API (aws lambda invoke, SDKs)
//	GET  /2015-03-31/functions/{name}              Lambda GetFunction
//	GET  /{stage}                                  WebSocket endpoint ($connect before upgrade)
//	POST|GET|DELETE /{stage}/@connections/{id}     API Gateway Management API
//	POST|GET|DELETE /@connections/{id}             the same, without the stage
//
// The Lambda Runtime API is not here: each function process gets its own loopback listener.
func (h *Host) router() http.Handler {
	mux := http.NewServeMux()
	if h.lambdas != nil {
		mux.Handle("/2015-03-31/", h.lambdas.Handler())
	}
	mux.Handle("/", h.gateway.Handler())
	return mux
}
