package gateway

import (
	"runtime"
	"testing"
)

// TestIdleConnectionFootprint holds idle connections and checks what each costs the
// process (server side plus the minimal raw client): the host must hold 10,000 idle
// connections at 16 KiB or less each.
func TestIdleConnectionFootprint(t *testing.T) {
	// Not parallel: it measures the whole process.
	if testing.Short() {
		t.Skip("opens 1000 sockets")
	}
	const n = 1000
	f := start(t, Config{}, newRecorder(nil))
	f.dial(t, nil) // warm up the server's lazily built state
	before := memInUse()
	for range n {
		nc := rawDial(t, f)
		t.Cleanup(func() { _ = nc.Close() })
	}
	after := memInUse()
	if got := f.gw.ConnectionCount(); got != n+1 {
		t.Fatalf("ConnectionCount %d", got)
	}
	per := (after - before) / n
	t.Logf("%d bytes per idle connection (heap + stacks, both ends)", per)
	if per > 16<<10 {
		t.Errorf("%d bytes per idle connection, budget 16384", per)
	}
}

func memInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse + m.StackInuse)
}
