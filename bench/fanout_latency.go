package main

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/agentbridge/agentbridge/client"
)

// fanoutResult is one combination of the full path: agent invoke, emit, DynamoDB query, posts,
// client receipt.
type fanoutResult struct {
	Users, ConnsPerUser, Bytes int
	EventsPerUser              int
	Offered                    float64 // deliveries per second the paced agents asked for
	Delivered, Expected        int
	EmitErrors                 int
	OrderErrors                int // frames out of seq order, repeated or missing, per socket
	PerSec                     float64
	Latency                    dist // agent's emit call to the client's read
	Invoke                     dist // the agent's synchronous emit call alone
}

func (r fanoutResult) orderOK() bool { return r.OrderErrors == 0 && r.Delivered == r.Expected }

// runFanout runs every users x connections x size combination; sockets are opened once per
// users x connections and reused across sizes, each size as a new agent run.
func runFanout(ctx context.Context, cfg config, h *hostProc, p progress) ([]fanoutResult, error) {
	emitter := client.New(lambdaClient(h.baseURL()), client.DefaultFunctionName, client.Config{MaxAttempts: 1})
	var out []fanoutResult
	group := 0
	for _, users := range cfg.S2Users {
		for _, k := range cfg.S2Conns {
			group++
			socks, err := openGroup(ctx, h, cfg, group, users, k)
			if err != nil {
				return out, err
			}
			p.printf("S2: %d users x %d connections open", users, k)
			for _, size := range cfg.S2Sizes {
				r, err := runFanoutPhase(ctx, cfg, emitter, socks, users, k, size, group)
				if err != nil {
					closeGroup(socks)
					return out, err
				}
				p.printf("S2: %d x %d x %d B: %d/%d delivered, p50 %.2f ms p99 %.2f ms (invoke p50 %.2f ms), order errors %d",
					users, k, size, r.Delivered, r.Expected, ms(r.Latency.p50()), ms(r.Latency.p99()), ms(r.Invoke.p50()), r.OrderErrors)
				out = append(out, r)
			}
			closeGroup(socks)
		}
	}
	return out, nil
}

// openGroup opens k sockets for each of users users, with 32 dialers at a time.
func openGroup(ctx context.Context, h *hostProc, cfg config, group, users, k int) ([][]*websocket.Conn, error) {
	socks := make([][]*websocket.Conn, users)
	var firstErr atomic.Value
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(32, users) {
		wg.Go(func() {
			for u := range jobs {
				tok, err := mintToken(fanoutUser(group, u))
				for j := 0; j < k && err == nil; j++ {
					var c *websocket.Conn
					if c, err = dialUser(ctx, h.wsURL(), tok); err == nil {
						socks[u] = append(socks[u], c)
					}
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	for u := range users {
		jobs <- u
	}
	close(jobs)
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		closeGroup(socks)
		return nil, fmt.Errorf("S2: %w", err)
	}
	return socks, nil
}

func closeGroup(socks [][]*websocket.Conn) {
	for _, s := range socks {
		closeAll(s)
	}
}

func fanoutUser(group, u int) string { return fmt.Sprintf("s2-g%d-u%d", group, u) }

// runFanoutPhase has every user's agent emit eventsPerUser events of size bytes, paced so that
// all agents together offer cfg.S2Rate emits per second, while every socket reads and checks
// its frames.
func runFanoutPhase(ctx context.Context, cfg config, emitter *client.Client, socks [][]*websocket.Conn, users, k, size, group int) (fanoutResult, error) {
	perUser := max(2, cfg.S2Total/users)
	res := fanoutResult{Users: users, ConnsPerUser: k, Bytes: size, EventsPerUser: perUser, Expected: users * k * perUser,
		Offered: float64(cfg.S2Rate * k)}
	interval := time.Duration(float64(users) / float64(cfg.S2Rate) * float64(time.Second))
	budget := time.Duration(perUser)*interval + 2*time.Minute
	pctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	clock := stamp{base: time.Now()}
	var lat, inv recorder
	var orderErrs, emitErrs atomic.Int64
	var readers, agents sync.WaitGroup
	for _, userSocks := range socks {
		for _, c := range userSocks {
			readers.Go(func() { orderErrs.Add(int64(readRun(pctx, c, clock, perUser, &lat))) })
		}
	}
	start := time.Now()
	pad := strings.Repeat("x", size)
	for u := range users {
		run := emitter.Run(fanoutUser(group, u), fmt.Sprintf("run-%d", size), client.RunOptions{})
		offset := time.Duration(u) * interval / time.Duration(users)
		agents.Go(func() { emitErrs.Add(int64(agent(pctx, run, clock, pad, perUser, start.Add(offset), interval, &inv))) })
	}
	agents.Wait()
	readers.Wait()
	elapsed := time.Since(start)
	res.Latency = lat.dist()
	res.Invoke = inv.dist()
	res.Delivered = res.Latency.count()
	res.OrderErrors = int(orderErrs.Load())
	res.EmitErrors = int(emitErrs.Load())
	res.PerSec = float64(res.Delivered) / elapsed.Seconds()
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	return res, nil
}

// agent emits n stamped agent_thinking events in order, one every interval from first.
func agent(ctx context.Context, run *client.Run, clock stamp, pad string, n int, first time.Time, interval time.Duration, inv *recorder) int {
	errs := 0
	next := first
	for range n {
		if d := time.Until(next); d > 0 {
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return errs + 1
			}
		}
		next = next.Add(interval)
		t0 := time.Now()
		head := strconv.FormatInt(clock.now(), 10) + "|"
		if _, err := run.Thinking(ctx, head+pad[:max(0, len(pad)-len(head))]); err != nil {
			errs++
		}
		inv.record(time.Since(t0))
	}
	return errs
}

var (
	seqKey  = []byte(`"seq":`)
	textKey = []byte(`"text":"`)
)

// readRun reads n envelopes of one run from c, records emit-to-read latency and returns how
// many frames broke the order: each must carry seq equal to its position.
func readRun(ctx context.Context, c *websocket.Conn, clock stamp, n int, lat *recorder) int {
	bad := 0
	for want := range n {
		_, msg, err := c.Read(ctx)
		if err != nil {
			return bad + n - want
		}
		if seq, ok := intAfter(msg, seqKey); !ok || seq != int64(want) {
			bad++
		}
		if i := bytes.Index(msg, textKey); i >= 0 {
			if d, ok := clock.since(msg[i+len(textKey):]); ok {
				lat.record(d)
			}
		}
	}
	return bad
}

// intAfter parses the integer that follows the first occurrence of key in msg. The envelope
// puts seq before the payload, so the first "seq": is the envelope's.
func intAfter(msg, key []byte) (int64, bool) {
	i := bytes.Index(msg, key)
	if i < 0 {
		return 0, false
	}
	rest := msg[i+len(key):]
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	v, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	return v, err == nil
}
