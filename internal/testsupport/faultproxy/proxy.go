package faultproxy

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
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
	srv *httptest.Server

	mu        sync.Mutex
	pending   []Fault
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
	p := &Proxy{}
	forward := httputil.NewSingleHostReverseProxy(target)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, ok := p.next(); ok {
			w.Header().Set("Content-Type", f.ContentType)
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	return p, nil
}

// URL is the proxy's address, to use as the client's endpoint.
func (p *Proxy) URL() string { return p.srv.URL }

// Close stops the proxy.
func (p *Proxy) Close() { p.srv.Close() }

// FailNext makes the next n requests answer f.
func (p *Proxy) FailNext(n int, f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range n {
		p.pending = append(p.pending, f)
	}
}

// Reset drops the faults still scheduled.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = nil
}

// Counts reports how many requests arrived, were answered with a fault, and were forwarded.
func (p *Proxy) Counts() (requests, faulted, forwarded int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests, p.faulted, p.forwarded
}

func (p *Proxy) next() (Fault, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	if len(p.pending) == 0 {
		p.forwarded++
		return Fault{}, false
	}
	f := p.pending[0]
	p.pending = p.pending[1:]
	p.faulted++
	return f, true
}
