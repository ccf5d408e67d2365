package sandbox

import (
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
)

// pool keeps a few spawned sandboxes (namespaces, cgroup and listeners ready, init waiting for its
// spec) so that a cold start skips the clone and the re-execution of gureum's binary.
type pool struct {
	mu       sync.Mutex
	want     int
	ports    []int
	ready    []*spawned
	building int
	closed   bool
	seq      atomic.Int64
	wg       sync.WaitGroup
}

// poolMemoryMB is a waiting sandbox's memory limit until its spec sets the real one.
const poolMemoryMB = 256

func newPool(m *Manager) *pool {
	if m.cfg.Prebuilt <= 0 {
		return nil
	}
	p := &pool{want: m.cfg.Prebuilt, ports: m.cfg.PrebuiltPorts}
	p.refill(m)
	return p
}

// take returns a ready sandbox with the same ports, or nil.
func (p *pool) take(ports []int) *spawned {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.ready) == 0 || !slices.Equal(ports, p.ports) {
		return nil
	}
	s := p.ready[len(p.ready)-1]
	p.ready = p.ready[:len(p.ready)-1]
	return s
}

// refill spawns sandboxes in the background until the pool holds what it wants.
func (p *pool) refill(m *Manager) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && len(p.ready)+p.building < p.want {
		p.building++
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			s, err := m.spawn("pool-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatInt(p.seq.Add(1), 10), poolMemoryMB, DefaultPids, p.ports)
			p.mu.Lock()
			p.building--
			if err == nil && !p.closed {
				p.ready = append(p.ready, s)
				s = nil
			}
			p.mu.Unlock()
			if s != nil {
				s.discard()
			}
		}()
	}
}

// close ends the waiting sandboxes.
func (p *pool) close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.closed = true
	ready := p.ready
	p.ready = nil
	p.mu.Unlock()
	p.wg.Wait()
	for _, s := range ready {
		s.discard()
	}
}

func (p *pool) readyCount() int {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ready)
}
