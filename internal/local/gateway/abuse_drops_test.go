//go:build unix

package gateway

import (
	"net"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// settleGuard bounds the waits for thousands of sockets to be torn down; generous because
// -race on two cores is slow, and never an assertion about speed.
const settleGuard = 60 * time.Second

// TestMassAbruptDropsEachDisconnectOnce opens thousands of connections at once, drops every
// socket without a close frame (half with FIN, half with RST), and checks the gateway ends
// where it started: each connection got exactly one $disconnect, none is left open, and the
// goroutines and heap it used are released.
//
// It runs two rounds and takes the baseline between them: the Go runtime keeps the
// descriptor of every goroutine it ever created for reuse, so the first round's peak of
// goroutines stays on the heap for good. A leak in the gateway grows the second round.
func TestMassAbruptDropsEachDisconnectOnce(t *testing.T) {
	// Not parallel: it measures the whole process.
	if testing.Short() {
		t.Skip("opens 2000 sockets, twice")
	}
	const n = 2000
	ensureFileLimit(t, 2*n+256) // both ends of every socket live in this process
	rec := newLifecycleCounter(2 * n)
	f := startWith(t, Config{Routes: lifecycleRoutes()}, rec)
	openAndDrop(t, f, rec, n, n)
	goroutines, heap := runtime.NumGoroutine(), heapInUse()

	openAndDrop(t, f, rec, n, 2*n)
	checkOneDisconnectEach(t, rec, 2*n)
	eventually(t, settleGuard, "goroutines to return to their baseline", func() bool {
		return runtime.NumGoroutine() <= goroutines+5
	})
	const slack = 2 << 20
	eventually(t, settleGuard, "heap to return to its baseline", func() bool { return heapInUse() <= heap+slack })
	t.Logf("goroutines %d -> %d, heap in use %d -> %d bytes", goroutines, runtime.NumGoroutine(), heap, heapInUse())
}

// openAndDrop holds n connections open together, drops them all without a close frame
// and waits until total $disconnects arrived and no connection is left.
func openAndDrop(t *testing.T, f *fixture, rec *lifecycleCounter, n, total int) {
	t.Helper()
	socks := openAll(t, f, n)
	eventually(t, settleGuard, "every connection to be open", func() bool { return f.gw.ConnectionCount() == n })
	for i, nc := range socks {
		if i%2 == 0 {
			_ = nc.(*net.TCPConn).SetLinger(0) // RST instead of FIN
		}
		_ = nc.Close()
	}
	eventually(t, settleGuard, "a $disconnect for every dropped socket", func() bool {
		_, d := rec.counts()
		return d >= total && f.gw.ConnectionCount() == 0
	})
}

// openAll completes n handshakes from a pool of dialers, all sockets held open together.
func openAll(t *testing.T, f *fixture, n int) []net.Conn {
	t.Helper()
	const dialers = 32
	jobs := make(chan int)
	socks := make([]net.Conn, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range dialers {
		wg.Go(func() {
			for i := range jobs {
				nc, err := rawUpgrade(f.host(), f.gw.cfg.Stage)
				if err != nil {
					errs <- err
					continue
				}
				socks[i] = nc
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for err := range errs {
		for _, nc := range socks {
			if nc != nil {
				_ = nc.Close()
			}
		}
		t.Fatalf("handshake: %v", err)
	}
	return socks
}

// ensureFileLimit raises the soft open-file limit to need (up to the hard limit) and skips
// the test when the hard limit is too low.
func ensureFileLimit(t *testing.T, need uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("getrlimit: %v", err)
	}
	if lim.Cur >= need {
		return
	}
	if lim.Max < need {
		t.Skipf("open-file hard limit %d is below the %d this test needs", lim.Max, need)
	}
	lim.Cur = need
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("setrlimit: %v", err)
	}
}

// heapInUse is the heap in use after collecting twice (the second pass frees what the
// first one's finalizers and sync.Pool victim caches released).
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}
