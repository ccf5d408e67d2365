package background

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is time as background work and the services see it: Now for timestamps and deadlines,
// After for waits. Services take one rather than calling time.Now and time.After, so that tests
// move time by hand (FakeClock).
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock is the system's time.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// After is time.After.
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Sleep waits d on the clock, or until ctx ends (then it returns ctx's error).
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	select {
	case <-c.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// FakeClock is a Clock that moves only when told to (Advance), for tests.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []fakeTimer
	waiting chan struct{} // closed and replaced whenever a timer is set
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

// NewFakeClock returns a fake clock at now.
func NewFakeClock(now time.Time) *FakeClock {
	return &FakeClock{now: now, waiting: make(chan struct{})}
}

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After returns a channel that receives the time once the clock has been advanced by d.
func (c *FakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, fakeTimer{c.now.Add(d), ch})
	close(c.waiting)
	c.waiting = make(chan struct{})
	return ch
}

// Advance moves the clock by d and fires the timers then due, earliest first.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	sort.SliceStable(c.waiters, func(i, j int) bool { return c.waiters[i].at.Before(c.waiters[j].at) })
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.now) {
			w.ch <- c.now
			continue
		}
		kept = append(kept, w)
	}
	c.waiters = kept
}

// Timers is how many timers are set and have not fired.
func (c *FakeClock) Timers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters)
}

// WaitForTimers blocks until at least n timers are set, or ctx ends; it reports whether they are.
func (c *FakeClock) WaitForTimers(ctx context.Context, n int) bool {
	for {
		c.mu.Lock()
		have, waiting := len(c.waiters), c.waiting
		c.mu.Unlock()
		if have >= n {
			return true
		}
		select {
		case <-waiting:
		case <-ctx.Done():
			return false
		}
	}
}
