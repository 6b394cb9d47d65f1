package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// deliveryResult: @connections posts straight to the host, received by real WebSocket clients.
type deliveryResult struct {
	Conns, Posts, Workers, Bytes int
	Delivered                    int
	Failed                       int // posts answered other than 200
	PerSec                       float64
	Latency                      dist // post sent to frame read
}

// stamp is a monotonic clock shared by senders and receivers in this process: payloads carry
// the nanoseconds since base when they were sent.
type stamp struct{ base time.Time }

func (s stamp) now() int64 { return int64(time.Since(s.base)) }

// since parses the leading "<ns>|" of a payload and returns how long ago it was sent.
func (s stamp) since(payload []byte) (time.Duration, bool) {
	end := bytes.IndexByte(payload, '|')
	if end <= 0 {
		return 0, false
	}
	sent, err := strconv.ParseInt(string(payload[:end]), 10, 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(s.now() - sent), true
}

func runDeliveryRate(ctx context.Context, cfg config, h *hostProc, p progress) (deliveryResult, error) {
	res := deliveryResult{Conns: cfg.S1Conns, Posts: cfg.S1Posts, Workers: cfg.S1Workers, Bytes: cfg.S1Bytes}
	conns, ids, err := openUserConns(ctx, h, "s1-user", cfg.S1Conns)
	if err != nil {
		return res, err
	}
	defer closeAll(conns)
	p.printf("S1: %d connections open; posting %d x %d B with %d workers", len(ids), cfg.S1Posts, cfg.S1Bytes, cfg.S1Workers)
	clock := stamp{base: time.Now()}
	// Posts go round-robin over the ids, so with a multiple of the connection count every
	// socket receives exactly perConn frames, whichever id it has.
	perConn := max(1, cfg.S1Posts/len(ids))
	res.Posts = perConn * len(ids)
	var lat recorder
	var readers sync.WaitGroup
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for _, c := range conns {
		readers.Go(func() { readStamped(rctx, c, clock, perConn, &lat) })
	}
	start := time.Now()
	res.Failed = postAll(rctx, h, ids, res.Posts, cfg, clock)
	if res.Failed > 0 {
		// Some frames will never come; give the rest a moment rather than the full guard.
		time.AfterFunc(5*time.Second, cancel)
	}
	readers.Wait()
	elapsed := time.Since(start)
	res.Latency = lat.dist()
	res.Delivered = res.Latency.count()
	res.PerSec = float64(res.Delivered) / elapsed.Seconds()
	return res, nil
}

// postAll posts total stamped bodies round-robin over ids and returns the failures.
func postAll(ctx context.Context, h *hostProc, ids []string, total int, cfg config, clock stamp) int {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.S1Workers}}
	pad := bytes.Repeat([]byte("x"), cfg.S1Bytes)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for range cfg.S1Workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= total || ctx.Err() != nil {
					return
				}
				target := h.baseURL() + "/" + h.stage + "/@connections/" + url.PathEscape(ids[i%len(ids)])
				if !post(ctx, client, target, stampedBody(clock, pad)) {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return int(failed.Load())
}

func stampedBody(clock stamp, pad []byte) []byte {
	head := strconv.AppendInt(nil, clock.now(), 10)
	head = append(head, '|')
	if n := len(pad) - len(head); n > 0 {
		return append(head, pad[:n]...)
	}
	return head
}

func post(ctx context.Context, client *http.Client, target string, body []byte) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// readStamped reads n stamped frames from c and records their latencies.
func readStamped(ctx context.Context, c *websocket.Conn, clock stamp, n int, lat *recorder) {
	for range n {
		_, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		if d, ok := clock.since(msg); ok {
			lat.record(d)
		}
	}
}

// openUserConns opens n sockets as user and returns them with the user's connection ids.
func openUserConns(ctx context.Context, h *hostProc, user string, n int) ([]*websocket.Conn, []string, error) {
	tok, err := mintToken(user)
	if err != nil {
		return nil, nil, err
	}
	conns := make([]*websocket.Conn, 0, n)
	for range n {
		c, err := dialUser(ctx, h.wsURL(), tok)
		if err != nil {
			closeAll(conns)
			return nil, nil, fmt.Errorf("S1: %w", err)
		}
		conns = append(conns, c)
	}
	ids, err := liveIDs(ctx, connectionStore(h.dynamoEP), user)
	if err != nil {
		closeAll(conns)
		return nil, nil, err
	}
	if len(ids) != n {
		closeAll(conns)
		return nil, nil, fmt.Errorf("S1: %d connection ids stored for %d sockets", len(ids), n)
	}
	return conns, ids, nil
}

func closeAll(conns []*websocket.Conn) {
	for _, c := range conns {
		_ = c.CloseNow()
	}
}
