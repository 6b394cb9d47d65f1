package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gobwas/ws"
)

// connectsResult: connections through $connect (token check, Connect function, DynamoDB write) and
// what each idle one costs the host process.
type connectsResult struct {
	Conns, Workers int
	Opened         int
	Failed         int
	PerSec         float64
	Connect        dist  // one dial: TCP, upgrade request, $connect, 101
	ConnectAlone   dist  // the same with one dialer, so no dial waits for another
	RSSBefore      int64 // host VmRSS with one connection open
	RSSAfter       int64 // host VmRSS with every connection open and idle
	BytesPerConn   float64
	CPU            cpuShare // CPU time spent while connecting, per process kind
}

// connectUsers spreads the connections over this many users, a few sockets each.
const connectUsers = 100

func runConnects(ctx context.Context, cfg config, h *hostProc, p progress) (connectsResult, error) {
	res := connectsResult{Conns: cfg.S3Conns, Workers: cfg.S3Workers}
	tokens := make([]string, connectUsers)
	for i := range tokens {
		var err error
		if tokens[i], err = mintToken(fmt.Sprintf("s3-user-%d", i)); err != nil {
			return res, err
		}
	}
	warm, err := rawDial(ctx, h.wsURL(), tokens[0])
	if err != nil {
		return res, fmt.Errorf("S3: %w", err)
	}
	defer warm.Close()
	time.Sleep(time.Second) // let the host settle after its first connection
	if res.RSSBefore, err = h.rssBytes(); err != nil {
		return res, err
	}
	p.printf("S3: host RSS %.1f MiB; opening %d connections with %d dialers", float64(res.RSSBefore)/(1<<20), cfg.S3Conns, cfg.S3Workers)
	cpu0 := cpuSnapshot(h.cmd.Process.Pid)
	conns, connect, failed, elapsed := dialMany(ctx, h.wsURL(), tokens, cfg.S3Conns, cfg.S3Workers)
	res.CPU = cpuSnapshot(h.cmd.Process.Pid).since(cpu0)
	defer closeRaw(conns)
	res.Opened, res.Failed = len(conns), failed
	res.PerSec = float64(len(conns)) / elapsed.Seconds()
	res.Connect = connect
	time.Sleep(2 * time.Second) // idle: let the host's per-connection state settle
	if res.RSSAfter, err = h.rssBytes(); err != nil {
		return res, err
	}
	if res.Opened > 0 {
		res.BytesPerConn = float64(res.RSSAfter-res.RSSBefore) / float64(res.Opened)
	}
	alone, connectAlone, _, _ := dialMany(ctx, h.wsURL(), tokens, min(aloneDials, cfg.S3Conns), 1)
	closeRaw(alone)
	res.ConnectAlone = connectAlone
	return res, nil
}

// aloneDials is how many connects S3 times one at a time, after the memory reading.
const aloneDials = 200

// dialMany opens n raw WebSocket connections with workers dialers and returns them with each
// dial's duration, the failures and the wall time.
func dialMany(ctx context.Context, wsURL string, tokens []string, n, workers int) ([]net.Conn, dist, int, time.Duration) {
	var mu sync.Mutex
	var lat recorder
	conns := make([]net.Conn, 0, n)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				c, err := rawDial(ctx, wsURL, tokens[i%len(tokens)])
				d := time.Since(t0)
				if err != nil {
					failed.Add(1)
					continue
				}
				lat.record(d)
				mu.Lock()
				conns = append(conns, c)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return conns, lat.dist(), int(failed.Load()), time.Since(start)
}

// rawDial opens a WebSocket with gobwas/ws and keeps only the socket, so the benchmark's own
// side of 10,000 idle connections stays small.
func rawDial(ctx context.Context, wsURL, token string) (net.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, _, _, err := ws.Dial(dctx, wsURL+"?token="+url.QueryEscape(token))
	if err != nil {
		return nil, fmt.Errorf("dial: %w", err)
	}
	return c, nil
}

func closeRaw(conns []net.Conn) {
	for _, c := range conns {
		_ = c.Close()
	}
}

// raiseFileLimit lifts RLIMIT_NOFILE to its hard limit; child hosts inherit it.
func raiseFileLimit() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("getrlimit: %w", err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("setrlimit: %w", err)
	}
	return lim.Cur, nil
}
