package lambda

// Placement: every new execution environment takes its MemorySize on a worker, chosen as Lambda
// chooses to keep workers busy: the fullest worker that still has room (best fit), so that
// environments pack onto the fewest workers. gureum has one worker today, in process (localWorker,
// over the sandbox manager, with --worker-memory of room); a remote worker implements Worker in the
// multi-node work. When no worker has room, an idle environment is stopped to make some, and
// otherwise the new environment waits up to PlacementWait for an environment to end or go idle,
// then is throttled as Lambda throttles (TooManyRequestsException, ConcurrentInvocationLimitExceeded).

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gureum/gureum/internal/sandbox"
)

// Worker is a machine that execution environments run on.
type Worker interface {
	// Name names the worker in logs.
	Name() string
	// MemoryMB is the memory the worker's environments may take together.
	MemoryMB() int
	// Start starts an environment's sandbox on the worker.
	Start(spec sandbox.Spec) (*sandbox.Sandbox, error)
}

// localWorker is this process's worker: the sandbox manager and --worker-memory.
type localWorker struct {
	m  *sandbox.Manager
	mb int
}

func (l localWorker) Name() string  { return "local" }
func (l localWorker) MemoryMB() int { return l.mb }
func (l localWorker) Start(spec sandbox.Spec) (*sandbox.Sandbox, error) {
	return l.m.Start(spec)
}

// DefaultWorkerMemory is the host's memory less a reserve for gureum and the system (a tenth, at
// least 1 GB), in MB; 4 GB where the host's memory cannot be read.
func DefaultWorkerMemory() int {
	total := hostMemoryMB()
	if total <= 0 {
		return 4096
	}
	return max(total-max(total/10, 1024), 128)
}

// hostMemoryMB reads MemTotal from /proc/meminfo (0 when it cannot).
func hostMemoryMB() int {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				return 0
			}
			return kb / 1024
		}
	}
	return 0
}

// placement keeps what each worker holds.
type placement struct {
	wait time.Duration

	mu      sync.Mutex
	workers []*placed
	changed chan struct{} // closed (and replaced) when room may have come, while someone waits
	waiting atomic.Int32
}

// placed is a worker with the memory its environments take.
type placed struct {
	w    Worker
	used int
}

// slot is one environment's room on a worker, released once when the environment ends.
type slot struct {
	p    *placement
	at   *placed
	mb   int
	once sync.Once
}

func newPlacement(wait time.Duration, workers ...Worker) *placement {
	p := &placement{wait: wait, changed: make(chan struct{})}
	for _, w := range workers {
		p.workers = append(p.workers, &placed{w: w})
	}
	return p
}

// fitLocked takes room on the fullest worker that has mb free (nil when none has).
func (p *placement) fitLocked(mb int) *slot {
	var best *placed
	for _, pw := range p.workers {
		if free := pw.w.MemoryMB() - pw.used; free >= mb && (best == nil || free < best.w.MemoryMB()-best.used) {
			best = pw
		}
	}
	if best == nil {
		return nil
	}
	best.used += mb
	return &slot{p: p, at: best, mb: mb}
}

// reserve finds room for an environment of mb: on a worker with room, after stopping an idle
// environment (evict reports whether it stopped one), or after waiting up to p.wait for an
// environment to end or go idle; then it is a throttle. A size no worker could ever hold is
// throttled at once.
func (p *placement) reserve(ctx context.Context, mb int, evict func() bool) (*slot, error) {
	var timer *time.Timer
	for {
		p.mu.Lock()
		if s := p.fitLocked(mb); s != nil {
			p.mu.Unlock()
			return s, nil
		}
		fits := false
		for _, pw := range p.workers {
			fits = fits || pw.w.MemoryMB() >= mb
		}
		p.waiting.Add(1)
		ch := p.changed
		p.mu.Unlock()
		if !fits {
			p.waiting.Add(-1)
			return nil, throttle(ReasonAccountExceeded)
		}
		if timer == nil {
			timer = time.NewTimer(p.wait)
			defer timer.Stop()
		}
		evict() // a stopped environment's end releases its room and closes ch
		var err error
		select {
		case <-ch:
		case <-timer.C:
			err = throttle(ReasonAccountExceeded)
		case <-ctx.Done():
			err = throttle(ReasonAccountExceeded)
		}
		p.waiting.Add(-1)
		if err != nil {
			return nil, err
		}
	}
}

// notify wakes those waiting for room (an environment went idle and may be stopped for them).
func (p *placement) notify() {
	if p.waiting.Load() == 0 {
		return
	}
	p.mu.Lock()
	p.signalLocked()
	p.mu.Unlock()
}

func (p *placement) signalLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// release gives an environment's room back (once).
func (s *slot) release() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		s.p.mu.Lock()
		s.at.used -= s.mb
		s.p.signalLocked()
		s.p.mu.Unlock()
	})
}

// usedMB is the memory placed on each worker, by name (for tests and the health report).
func (p *placement) usedMB() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for _, pw := range p.workers {
		out[pw.w.Name()] += pw.used
	}
	return out
}
