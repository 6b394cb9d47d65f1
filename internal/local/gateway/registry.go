package gateway

import (
	"crypto/rand"
	"errors"
	"io"
	"sync"
)

// maxIDAttempts bounds the retries when a random id was already issued; with 88 random
// bits a second attempt is already astronomically rare.
const maxIDAttempts = 8

var errNoFreshID = errors.New("gateway: no fresh connection id")

// registry tracks live connections by id and remembers every id it ever issued, so
// that an id is never handed out twice (reuse is how messages reach the wrong user).
// It knows nothing about sockets.
type registry struct {
	rand io.Reader // id entropy; crypto/rand when nil

	mu     sync.Mutex
	conns  map[string]*conn
	issued map[string]struct{}
}

func newRegistry() *registry {
	return &registry{conns: map[string]*conn{}, issued: map[string]struct{}{}}
}

// issue returns a connection id never issued before by this registry.
func (r *registry) issue() (string, error) {
	src := r.rand
	if src == nil {
		src = rand.Reader
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for range maxIDAttempts {
		id, err := readID(src)
		if err != nil {
			return "", err
		}
		if _, seen := r.issued[id]; !seen {
			r.issued[id] = struct{}{}
			return id, nil
		}
	}
	return "", errNoFreshID
}

func (r *registry) add(c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conns[c.id] = c
}

// get returns the connection with id, or nil.
func (r *registry) get(id string) *conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns[id]
}

func (r *registry) remove(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.conns, id)
}

// all returns a snapshot of the tracked connections.
func (r *registry) all() []*conn {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*conn, 0, len(r.conns))
	for _, c := range r.conns {
		out = append(out, c)
	}
	return out
}
