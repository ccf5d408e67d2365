package bench

import "testing"

func TestMedianRound(t *testing.T) {
	rounds := []Throughput{{PerSec: 7000, P50: 3}, {PerSec: 9000, P50: 1}, {PerSec: 8000, P50: 2}}
	if got := medianRound(rounds); got.PerSec != 8000 || got.P50 != 2 {
		t.Errorf("medianRound = %+v; want the 8000/s round with its p50", got)
	}
	if rounds[0].PerSec != 7000 || rounds[1].PerSec != 9000 {
		t.Errorf("medianRound sorted its argument: %v", rounds)
	}
	if got := medianRound([]Throughput{{PerSec: 1}, {PerSec: 2}}); got.PerSec != 1 {
		t.Errorf("medianRound of two = %+v; want the lower", got)
	}
	if got := medianRound(nil); got != (Throughput{}) {
		t.Errorf("medianRound(nil) = %+v", got)
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		xs   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tt.xs); got != tt.want {
			t.Errorf("median(%v) = %v; want %v", tt.xs, got, tt.want)
		}
	}
	xs := []float64{5, 1, 3}
	median(xs)
	if xs[0] != 5 || xs[1] != 1 {
		t.Errorf("median sorted its argument: %v", xs)
	}
	if got := joinf([]float64{1.25, 20}, "%.1f×"); got != "1.2×, 20.0×" && got != "1.3×, 20.0×" {
		t.Errorf("joinf = %q", got)
	}
}

func TestRoundRatios(t *testing.T) {
	got := roundRatios([]float64{10, 20, 30}, []float64{5, 0, 10})
	if len(got) != 2 || got[0] != 2 || got[1] != 3 {
		t.Errorf("roundRatios = %v; want [2 3] (the round with a zero divisor left out)", got)
	}
	if got := roundRatios([]float64{1, 2}, []float64{1}); got != nil {
		t.Errorf("roundRatios of unequal rounds = %v; want nothing", got)
	}
	if got := scale([]float64{0.5, 2}, 100); got[0] != 50 || got[1] != 200 {
		t.Errorf("scale = %v", got)
	}
}
