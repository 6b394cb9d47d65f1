package gateway

import (
	"encoding/base64"
	"sync"
	"testing"
)

// TestConnectionIDsNeverReusedAcrossChurn connects and disconnects thousands of times, a few
// connections alive at any moment, and checks every id is fresh and in AWS's form: reusing
// an id after a disconnect is how one user's events reach another's socket.
func TestConnectionIDsNeverReusedAcrossChurn(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("opens 5000 sockets")
	}
	const n, workers = 5000, 8
	rec := newLifecycleCounter(n)
	f := startWith(t, Config{Routes: lifecycleRoutes()}, rec)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				nc, err := rawUpgrade(f.host(), f.gw.cfg.Stage)
				if err != nil {
					errs <- err
					return
				}
				_ = nc.Close()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	eventually(t, settleGuard, "a $disconnect for every connection", func() bool {
		_, d := rec.counts()
		return d == n
	})
	connects, _ := rec.snapshot()
	seen := make(map[string]bool, len(connects))
	for _, id := range connects {
		if seen[id] {
			t.Errorf("connection id %s issued twice", id)
		}
		seen[id] = true
		if !isAWSConnectionID(id) {
			t.Errorf("connection id %q is not in AWS's form", id)
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct ids for %d connections", len(seen), n)
	}
	checkOneDisconnectEach(t, rec, n)
}

// isAWSConnectionID checks the form independently of the package's own validator:
// 16 characters of standard base64 ending in one '=' of padding, 11 bytes decoded.
func isAWSConnectionID(id string) bool {
	if len(id) != 16 || id[15] != '=' || id[14] == '=' {
		return false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(id)
	return err == nil && len(b) == 11
}
