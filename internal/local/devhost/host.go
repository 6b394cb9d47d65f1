package devhost

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/agentbridge/agentbridge/internal/local/bodydeadline"
	"github.com/agentbridge/agentbridge/internal/local/console"
	"github.com/agentbridge/agentbridge/internal/local/dynamoserver"
	"github.com/agentbridge/agentbridge/internal/local/gateway"
	"github.com/agentbridge/agentbridge/internal/local/lambdahost"
	"github.com/agentbridge/agentbridge/internal/local/samtemplate"
)

// Host is a running local stack.
type Host struct {
	opts     Options
	addr     string
	stage    string
	tmpl     *samtemplate.Template
	dynamo   *dynamoserver.Server // nil when an external endpoint is used
	dynamoEP string
	db       *dynamodb.Client // the host's own client, for tables and health checks
	// stopWatch ends watchDynamoDB; watched is closed once it returned.
	stopWatch context.CancelFunc
	watched   chan struct{}
	lambdas   *lambdahost.Host // nil with an external Lambda endpoint
	gateway   *gateway.Gateway
	invoker   gateway.Invoker // runs functions for the gateway and the console
	console   *console.Console
	server    *http.Server
	listener  *dualListener
	served    chan struct{}
}

// Start brings the stack up and returns when it answers.
func Start(ctx context.Context, opts Options) (_ *Host, err error) {
	opts = opts.withDefaults()
	h := &Host{opts: opts, served: make(chan struct{})}
	defer func() {
		if err != nil {
			h.Close()
		}
	}()
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", opts.Addr, err)
	}
	h.addr = ln.Addr().String()
	if h.listener, err = newDualListener(ln, filepath.Join(opts.BuildDir, "tls")); err != nil {
		ln.Close()
		return nil, err
	}
	if err := h.loadTemplate(); err != nil {
		return nil, err
	}
	if err := h.startDynamoDB(ctx); err != nil {
		return nil, err
	}
	if err := h.startFunctions(ctx); err != nil {
		return nil, err
	}
	if err := h.startGateway(); err != nil {
		return nil, err
	}
	h.startConsole()
	watchCtx, stopWatch := context.WithCancel(context.Background())
	h.stopWatch, h.watched = stopWatch, make(chan struct{})
	go func() {
		defer close(h.watched)
		h.watchDynamoDB(watchCtx)
	}()
	// ReadHeaderTimeout drops handshakes that never finish; the body deadline, bodies that
	// never finish; IdleTimeout, kept-alive HTTP connections nobody uses; the limiter caps
	// how many of those there are at once. Upgraded WebSockets are hijacked and governed
	// by the gateway.
	limiter := newConnLimiter(h.listener, opts.MaxConnections, opts.Logger)
	h.server = &http.Server{
		Handler:           bodydeadline.Handler(h.router(), opts.BodyTimeout),
		ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ConnState: limiter.connState,
	}
	go func() {
		defer close(h.served)
		_ = h.server.Serve(limiter)
	}()
	return h, nil
}

func (h *Host) loadTemplate() error {
	tmpl, err := samtemplate.Load(h.opts.Template, samtemplate.Options{
		Overrides: h.opts.Overrides, Defaults: h.opts.DefaultParameters, Region: h.opts.Region, APIEndpoint: h.WebSocketBase(),
	})
	if err != nil {
		return fmt.Errorf("template %s: %w", h.opts.Template, err)
	}
	if len(tmpl.WebSocketAPIs) != 1 {
		return fmt.Errorf("template %s: found %d WebSocket APIs; the host serves exactly one", h.opts.Template, len(tmpl.WebSocketAPIs))
	}
	for _, w := range tmpl.Warnings {
		h.opts.Logger.Warn("template", "warning", w)
	}
	h.tmpl = tmpl
	h.stage = tmpl.WebSocketAPIs[0].Stage.Name
	return nil
}

// Addr is the host's listening address, e.g. 127.0.0.1:3001.
func (h *Host) Addr() string { return h.addr }

// BaseURL is the host's HTTP root: the Lambda Invoke API endpoint.
func (h *Host) BaseURL() string { return "http://" + h.addr }

// WebSocketBase is the WebSocket API's endpoint without the stage, as GetAtt ApiEndpoint.
func (h *Host) WebSocketBase() string { return "ws://" + h.addr }

// WebSocketURL is where clients connect: ws://host:port/{stage}.
func (h *Host) WebSocketURL() string { return h.WebSocketBase() + "/" + h.stage }

// ManagementEndpoint is the @connections endpoint: http://host:port/{stage}.
func (h *Host) ManagementEndpoint() string { return h.BaseURL() + "/" + h.stage }

// DynamoDBEndpoint is the DynamoDB-compatible server the functions use.
func (h *Host) DynamoDBEndpoint() string { return h.dynamoEP }

// Stage is the WebSocket API's stage name.
func (h *Host) Stage() string { return h.stage }

// Template is the resolved template the host runs.
func (h *Host) Template() *samtemplate.Template { return h.tmpl }

// Gateway is the WebSocket gateway, for callers that count or inspect connections.
func (h *Host) Gateway() *gateway.Gateway { return h.gateway }

// Close stops everything Start started: sockets first (each with $disconnect), then the
// server, the functions and the DynamoDB server. It is safe to call more than once.
func (h *Host) Close() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if h.stopWatch != nil {
		// First, so that nothing restarts DynamoDB while the stack goes down.
		h.stopWatch()
		<-h.watched
		h.stopWatch = nil
	}
	if h.console != nil {
		h.console.Close()
	}
	if h.gateway != nil {
		errs = append(errs, h.gateway.Shutdown(ctx))
	}
	if h.server != nil {
		errs = append(errs, h.server.Shutdown(ctx))
		<-h.served
	} else if h.listener != nil {
		errs = append(errs, h.listener.Close())
	}
	if h.lambdas != nil {
		errs = append(errs, h.lambdas.Close())
	}
	if h.dynamo != nil {
		h.dynamo.Stop()
	}
	h.console, h.gateway, h.server, h.listener, h.lambdas, h.dynamo = nil, nil, nil, nil, nil, nil
	return ignoreClosed(errors.Join(errs...))
}

func ignoreClosed(err error) error {
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Invoke runs one function synchronously on the host's Lambda emulation.
func (h *Host) Invoke(ctx context.Context, function string, payload []byte) (lambdahost.Result, error) {
	if h.lambdas == nil {
		return lambdahost.Result{}, errors.New("functions run on an external Lambda endpoint")
	}
	return h.lambdas.Invoke(ctx, function, payload)
}
