package faultproxy

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// Fault is an error answer given instead of forwarding a request.
type Fault struct {
	Status      int
	ContentType string
	Body        string
}

// DynamoDBThrottling is DynamoDB's answer when provisioned throughput is exceeded: the AWS SDK
// reads the __type member, classifies it as throttling and retries it with backoff.
var DynamoDBThrottling = Fault{
	Status:      http.StatusBadRequest,
	ContentType: "application/x-amz-json-1.0",
	Body: `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",` +
		`"message":"The level of configured provisioned throughput for the table was exceeded."}`,
}

// Proxy forwards to its upstream unless a fault is scheduled.
type Proxy struct {
	addr    string // fixed at New, so Up listens where clients were pointed
	forward *httputil.ReverseProxy

	mu        sync.Mutex
	srv       *http.Server // nil while down
	ln        net.Listener // srv's, closed by Down itself: Serve may not have taken it yet
	pending   []Fault
	latency   time.Duration
	resetting bool
	requests  int
	faulted   int
	forwarded int
}

// New starts a proxy on 127.0.0.1 in front of upstream (e.g. http://127.0.0.1:8000).
func New(upstream string) (*Proxy, error) {
	target, err := url.Parse(upstream)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return nil, fmt.Errorf("faultproxy: upstream %q is not an absolute URL", upstream)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{addr: ln.Addr().String(), forward: httputil.NewSingleHostReverseProxy(target)}
	p.serve(ln)
	return p, nil
}

// URL is the proxy's address, to use as the client's endpoint. It stays the same across
// Down and Up.
func (p *Proxy) URL() string { return "http://" + p.addr }

// Close stops the proxy.
func (p *Proxy) Close() { p.Down() }

// FailNext makes the next n requests answer f.
func (p *Proxy) FailNext(n int, f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range n {
		p.pending = append(p.pending, f)
	}
}

// Delay holds every request for d before forwarding it, as a slow upstream would, until
// Clear. A client that gives up first sees its own deadline; the proxy then lets go too.
func (p *Proxy) Delay(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.latency = d
}

// ResetConnections makes every request's connection end in a TCP reset instead of an answer,
// until Clear.
func (p *Proxy) ResetConnections() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.resetting = true
}

// Clear removes every fault: scheduled answers, delay and resets.
func (p *Proxy) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending, p.latency, p.resetting = nil, 0, false
}

// Down stops listening and drops open connections: clients are refused, as by a server that
// is not running. It is a no-op when already down.
func (p *Proxy) Down() {
	p.mu.Lock()
	srv, ln := p.srv, p.ln
	p.srv, p.ln = nil, nil
	p.mu.Unlock()
	if srv != nil {
		_ = ln.Close()
		_ = srv.Close()
	}
}

// Up listens again on the proxy's address after Down. It fails when the port was taken in
// the meantime.
func (p *Proxy) Up() error {
	p.mu.Lock()
	up := p.srv != nil
	p.mu.Unlock()
	if up {
		return nil
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return fmt.Errorf("faultproxy: listen again on %s: %w", p.addr, err)
	}
	p.serve(ln)
	return nil
}

// Counts reports how many requests arrived, were answered with a fault (a reset counts), and
// were forwarded.
func (p *Proxy) Counts() (requests, faulted, forwarded int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests, p.faulted, p.forwarded
}

func (p *Proxy) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(p.handle), ReadHeaderTimeout: 10 * time.Second}
	p.mu.Lock()
	p.srv, p.ln = srv, ln
	p.mu.Unlock()
	go func() { _ = srv.Serve(ln) }() // Serve closes ln when the server closes
}

func (p *Proxy) handle(w http.ResponseWriter, r *http.Request) {
	act := p.next()
	switch {
	case act.reset:
		resetConn(w)
		return
	case act.fault != nil:
		w.Header().Set("Content-Type", act.fault.ContentType)
		w.WriteHeader(act.fault.Status)
		_, _ = w.Write([]byte(act.fault.Body))
		return
	}
	if act.delay > 0 {
		t := time.NewTimer(act.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	p.forward.ServeHTTP(w, r)
}

// action is what the proxy does with one request.
type action struct {
	reset bool
	fault *Fault
	delay time.Duration
}

func (p *Proxy) next() action {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	switch {
	case p.resetting:
		p.faulted++
		return action{reset: true}
	case len(p.pending) > 0:
		f := p.pending[0]
		p.pending = p.pending[1:]
		p.faulted++
		return action{fault: &f}
	}
	p.forwarded++
	return action{delay: p.latency}
}

// resetConn closes the request's connection with a TCP RST (SO_LINGER 0) rather than a FIN.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil { // not an HTTP/1 connection: the nearest failure is a bad gateway
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
