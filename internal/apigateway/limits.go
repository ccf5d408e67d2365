package apigateway

import (
	"math"
	"sync"
	"time"
)

// limiter holds the token buckets of the data plane: per API key and plan (and per method where
// the plan's stage overrides it), per stage method (methodSettings), and the account's. Buckets
// live on each node: AWS applies throttles "on a best-effort basis", while quotas, which are
// counts over days, are kept in the store and exact across nodes.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

// bucket is a token bucket: it refills rate tokens a second up to burst.
type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter() *limiter { return &limiter{buckets: map[string]*bucket{}} }

// Account-level throttle: AWS's default per account and region.
const (
	accountRate  = 10000
	accountBurst = 5000
)

// allow takes a token from the bucket named key with the given rate and burst at now.
func (l *limiter) allow(key string, rate float64, burst int, now time.Time) bool {
	if burst <= 0 && rate <= 0 {
		return false
	}
	capacity := math.Max(float64(burst), 1)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: capacity, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(capacity, b.tokens+elapsed*rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// forgetKey drops the buckets of a key (its plans changed).
func (l *limiter) forgetKey(keyID string) { l.forget("key:" + keyID + ":") }

// forgetPlan drops the buckets of a plan (its throttle changed).
func (l *limiter) forgetPlan(planID string) { l.forget("plan:" + planID + ":") }

func (l *limiter) forget(marker string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for k := range l.buckets {
		if containsMarker(k, marker) {
			delete(l.buckets, k)
		}
	}
}

func containsMarker(s, marker string) bool {
	for i := 0; i+len(marker) <= len(s); i++ {
		if s[i:i+len(marker)] == marker {
			return true
		}
	}
	return false
}
