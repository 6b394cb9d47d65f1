package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Route binds a route key to the function that integrates it.
type Route struct {
	// Key is the route key ($connect, $disconnect, $default or a custom key). It may be
	// left empty when the route sits in Config.Routes under its key.
	Key string
	// Function is the function name handed to the Invoker; empty for a MOCK route.
	Function string
	// Mock makes this a MOCK integration, answered by the gateway itself: no function
	// runs. Only message routes take one (not $connect or $disconnect).
	Mock *Mock
	// ReturnResponse makes this a two-way route: the integration response's body is sent
	// back to the client as a frame.
	ReturnResponse bool
	// Authorizer runs before the integration; only allowed on $connect, as on AWS.
	Authorizer *Authorizer
}

// Mock is a MOCK integration with a static integration response.
type Mock struct {
	// Response is the body a two-way route sends back as one text frame; empty sends
	// nothing.
	Response []byte
}

// Authorizer is a Lambda REQUEST authorizer.
type Authorizer struct {
	// Function is the authorizer's function name.
	Function string
	// IdentitySources such as "route.request.header.Authorization" or
	// "route.request.querystring.token"; when one is missing the client gets 401 and
	// the authorizer is not invoked.
	IdentitySources []string
}

// Config configures a Gateway. Its zero value works; each field names its default.
type Config struct {
	// Stage is the stage name in paths and events. Default "local".
	Stage string
	// APIID is the apiId in events. Default "local".
	APIID string
	// Region goes into the authorizer's methodArn. Default "us-east-1".
	Region string
	// AccountID goes into the authorizer's methodArn. Default "123456789012".
	AccountID string
	// RouteSelectionExpression picks the route of a message, "$request.body.<path>" with a
	// dotted path (the "${request.body.<path>}" spelling is accepted too).
	// Default "$request.body.action".
	RouteSelectionExpression string
	// Routes by key. All optional: without $connect every connect succeeds, without
	// $default unroutable messages get a "Forbidden" error frame.
	Routes map[string]Route
	// IdleTimeout closes a connection that sent no data frame for this long. Default 10m.
	IdleTimeout time.Duration
	// MaxConnectionDuration closes every connection this long after it opened. Default 2h.
	MaxConnectionDuration time.Duration
	// MaxFrameBytes is the largest inbound frame payload accepted. Default 32768.
	MaxFrameBytes int
	// MaxMessageBytes is the largest inbound message (all fragments) accepted and the
	// largest management POST body. Default 131072.
	MaxMessageBytes int
	// SendQueueBytes bounds each connection's queued outbound payload; a POST that would
	// exceed it answers 429 LimitExceededException. Default 1 MiB.
	SendQueueBytes int
	// IntegrationTimeout bounds every function invocation. Default 29s.
	IntegrationTimeout time.Duration
	// HandshakeTimeout bounds writing the upgrade response. The http.Server in front
	// should also set ReadHeaderTimeout so requests that never arrive are dropped.
	// Default 10s.
	HandshakeTimeout time.Duration
	// Logger receives operational logs; nil discards them.
	Logger *slog.Logger
}

const (
	routeConnect    = "$connect"
	routeDisconnect = "$disconnect"
	routeDefault    = "$default"
)

// withDefaults returns a copy of cfg with every zero field set to its default.
func (cfg Config) withDefaults() Config {
	setString(&cfg.Stage, "local")
	setString(&cfg.APIID, "local")
	setString(&cfg.Region, "us-east-1")
	setString(&cfg.AccountID, "123456789012")
	setString(&cfg.RouteSelectionExpression, "$request.body.action")
	setDuration(&cfg.IdleTimeout, 10*time.Minute)
	setDuration(&cfg.MaxConnectionDuration, 2*time.Hour)
	setDuration(&cfg.IntegrationTimeout, 29*time.Second)
	setDuration(&cfg.HandshakeTimeout, 10*time.Second)
	setInt(&cfg.MaxFrameBytes, 32<<10)
	setInt(&cfg.MaxMessageBytes, 128<<10)
	setInt(&cfg.SendQueueBytes, 1<<20)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	routes := make(map[string]Route, len(cfg.Routes))
	for key, r := range cfg.Routes {
		if r.Key == "" {
			r.Key = key
		}
		routes[key] = r
	}
	cfg.Routes = routes
	return cfg
}

// validate reports configuration AWS would refuse to deploy.
func (cfg Config) validate() error {
	if _, ok := bodyPath(cfg.RouteSelectionExpression); !ok {
		return fmt.Errorf("gateway: unsupported route selection expression %q", cfg.RouteSelectionExpression)
	}
	// AWS allows only letters, digits, - and _; these would also break the host's routes.
	if strings.ContainsAny(cfg.Stage, "/@{}% \t") {
		return fmt.Errorf("gateway: invalid stage %q", cfg.Stage)
	}
	for key, r := range cfg.Routes {
		if err := r.validate(key); err != nil {
			return err
		}
	}
	return nil
}

func (r Route) validate(key string) error {
	switch {
	case key == "" || r.Key != key:
		return fmt.Errorf("gateway: route %q has key %q", key, r.Key)
	case r.Mock != nil && r.Function != "":
		return fmt.Errorf("gateway: route %q has both a function and a MOCK integration", key)
	case r.Mock != nil && (key == routeConnect || key == routeDisconnect):
		return fmt.Errorf("gateway: route %q: MOCK integrations run only on message routes", key)
	case r.Function == "" && r.Mock == nil:
		return fmt.Errorf("gateway: route %q has no function", key)
	case r.Authorizer != nil && key != routeConnect:
		return fmt.Errorf("gateway: route %q: authorizers exist only on $connect", key)
	case r.Authorizer != nil:
		return r.Authorizer.validate()
	}
	return nil
}

func (a *Authorizer) validate() error {
	if a.Function == "" {
		return errors.New("gateway: authorizer has no function")
	}
	for _, src := range a.IdentitySources {
		if _, _, ok := parseIdentitySource(src); !ok {
			return fmt.Errorf("gateway: unsupported identity source %q", src)
		}
	}
	return nil
}

func setString(p *string, def string) {
	if *p == "" {
		*p = def
	}
}

func setDuration(p *time.Duration, def time.Duration) {
	if *p <= 0 {
		*p = def
	}
}

func setInt(p *int, def int) {
	if *p <= 0 {
		*p = def
	}
}
