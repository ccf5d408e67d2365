package bench

import "testing"

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
