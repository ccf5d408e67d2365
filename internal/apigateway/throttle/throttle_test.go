package throttle

import (
	"testing"
	"time"
)

func TestAllow(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name        string
		rate        float64
		burst       int
		at          []time.Duration // when each request comes, from t0
		wantAllowed int
	}{
		{"burst then refused", 1, 3, []time.Duration{0, 0, 0, 0}, 3},
		{"refilled at the rate", 2, 1, []time.Duration{0, 0, 500 * time.Millisecond, 600 * time.Millisecond}, 2},
		{"refill capped at the burst", 10, 2, []time.Duration{0, 0, 10 * time.Second, 10 * time.Second, 10 * time.Second}, 4},
		{"zero refuses everything", 0, 0, []time.Duration{0, time.Second}, 0},
		{"burst 0 holds one", 1, 0, []time.Duration{0, 0, time.Second}, 2},
	} {
		b := New()
		allowed := 0
		for _, d := range tc.at {
			if b.Allow("k", tc.rate, tc.burst, t0.Add(d)) {
				allowed++
			}
		}
		if allowed != tc.wantAllowed {
			t.Errorf("%s: Allow let %d of %d through; want %d", tc.name, allowed, len(tc.at), tc.wantAllowed)
		}
	}
}

func TestForget(t *testing.T) {
	b, now := New(), time.Unix(1_700_000_000, 0)
	b.Allow("plan:p1:key:k1", 1, 1, now)
	b.Allow("plan:p2:key:k1", 1, 1, now)
	b.Forget("plan:p1:")
	if !b.Allow("plan:p1:key:k1", 1, 1, now) {
		t.Error("Allow after Forget = false; want a full bucket")
	}
	if b.Allow("plan:p2:key:k1", 1, 1, now) {
		t.Error("Allow on a bucket Forget did not name = true; want it still empty")
	}
}
