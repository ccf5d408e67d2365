package apigatewayv2

import (
	"sync"
	"time"
)

// The account-level throttle of HTTP APIs (AWS's default: 10,000 requests a second, burst 5,000).
const (
	accountRate  = 10000
	accountBurst = 5000
)

// limiter holds token buckets by key, on this node (AWS applies throttles on a best-effort basis
// too). Time comes from the caller, so tests move it by hand.
type limiter struct {
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter() *limiter { return &limiter{buckets: map[string]*bucket{}} }

// allow takes a token from the bucket of key (refilled at rate a second, holding at most burst).
func (l *limiter) allow(key string, rate float64, burst int, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) > 100000 {
			clear(l.buckets)
		}
		b = &bucket{tokens: float64(burst), last: now}
		l.buckets[key] = b
	}
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(float64(burst), b.tokens+el*rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// throttle applies the stage's limit for the route, a bucket per route (its own route settings,
// else the stage's default route settings), then the account's.
func (s *Service) throttle(api *cachedAPI, ss *servedStage, route *Route, now time.Time) *gatewayError {
	rs, key := ss.stage.DefaultRouteSettings, "stage:"+api.doc.API.APIID+"/"+ss.stage.StageName+"/"+route.RouteKey
	if own, ok := ss.stage.RouteSettings[route.RouteKey]; ok && (own.ThrottlingRateLimit != nil || own.ThrottlingBurstLimit != nil) {
		rs = &own
	}
	if rs != nil && (rs.ThrottlingRateLimit != nil || rs.ThrottlingBurstLimit != nil) {
		rate, burst := float64(accountRate), accountBurst
		if rs.ThrottlingRateLimit != nil {
			rate = *rs.ThrottlingRateLimit
		}
		if rs.ThrottlingBurstLimit != nil {
			burst = *rs.ThrottlingBurstLimit
		}
		if !s.limits.allow(key, rate, burst, now) {
			return errThrottled
		}
	}
	if !s.limits.allow("account:"+api.account, accountRate, accountBurst, now) {
		return errThrottled
	}
	return nil
}
