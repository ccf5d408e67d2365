// Package throttle is the token buckets both generations of API Gateway throttle with: REST
// APIs' usage plans, stage methods and account; HTTP and WebSocket APIs' routes and account.
// Buckets live on each node, as AWS applies throttles "on a best-effort basis"; time comes from
// the caller, so tests move it by hand.
package throttle

import (
	"math"
	"strings"
	"sync"
	"time"
)

// AWS's account-level throttle per region: 10,000 requests a second, burst 5,000.
const (
	AccountRate  = 10000
	AccountBurst = 5000
)

// maxBuckets bounds a node's buckets: past it they are all dropped (each starts again full,
// which a best-effort throttle allows), so keys that come and go cannot grow the map forever.
const maxBuckets = 100000

// Buckets are token buckets by key.
type Buckets struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

// bucket refills rate tokens a second up to its capacity.
type bucket struct {
	tokens float64
	last   time.Time
}

// New returns an empty set of buckets.
func New() *Buckets { return &Buckets{buckets: map[string]*bucket{}} }

// Allow takes a token from the bucket of key, which refills rate tokens a second and holds
// burst (at least one; a rate and a burst of 0 refuse everything), at now.
func (b *Buckets) Allow(key string, rate float64, burst int, now time.Time) bool {
	if burst <= 0 && rate <= 0 {
		return false
	}
	capacity := math.Max(float64(burst), 1)
	b.mu.Lock()
	defer b.mu.Unlock()
	k := b.buckets[key]
	if k == nil {
		if len(b.buckets) >= maxBuckets {
			clear(b.buckets)
		}
		k = &bucket{tokens: capacity, last: now}
		b.buckets[key] = k
	}
	if elapsed := now.Sub(k.last).Seconds(); elapsed > 0 {
		k.tokens = math.Min(capacity, k.tokens+elapsed*rate)
		k.last = now
	}
	if k.tokens < 1 {
		return false
	}
	k.tokens--
	return true
}

// Forget drops the buckets whose key contains marker (their limits changed).
func (b *Buckets) Forget(marker string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.buckets {
		if strings.Contains(k, marker) {
			delete(b.buckets, k)
		}
	}
}
