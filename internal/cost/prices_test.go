package cost

import (
	"math"
	"testing"
)

func TestParseServer(t *testing.T) {
	for _, tc := range []struct {
		in     string
		hourly float64
		ok     bool
	}{
		{"t3.medium", 0.0416, true},
		{"M5.Large", 0.096, true},
		{"0.05", 0.05, true},
		{"$0.05", 0.05, true},
		{"$0.05/h", 0.05, true},
		{"0.05 / hour", 0.05, true},
		{"$73/month", 0.1, true},
		{"36.5/mo", 0.05, true},
		{"0", 0, true},
		{"", 0, false},
		{"$", 0, false},
		{"-1", 0, false},
		{"1e3", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
		{"0x10", 0, false},
		{"1_000", 0, false},
		{"0.05/day", 0, false},
		{"9999999", 0, false},
		{"t9.huge", 0, false},
	} {
		s, err := ParseServer(tc.in)
		if (err == nil) != tc.ok || tc.ok && math.Abs(s.Hourly-tc.hourly) > 1e-12 {
			t.Errorf("ParseServer(%q) = %+v, %v; want %v, ok %v", tc.in, s, err, tc.hourly, tc.ok)
		}
	}
}

// FuzzParseServer checks that ParseServer never panics, that what it accepts is a finite price
// within its bounds, and that a price's name reads back as the same price.
func FuzzParseServer(f *testing.F) {
	for _, s := range []string{"t3.medium", "$0.05/hour", "36.5/mo", "1e3", "NaN", "$/", "0.", ".5", "$$1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseServer(in)
		if err != nil {
			return
		}
		if math.IsNaN(s.Hourly) || math.IsInf(s.Hourly, 0) || s.Hourly < 0 || s.Hourly > maxHourly || s.Name == "" {
			t.Fatalf("ParseServer(%q) = %+v", in, s)
		}
		again, err := ParseServer(s.Name)
		if err != nil || again.Hourly != s.Hourly {
			t.Fatalf("ParseServer(%q) = %+v; its name reads back as %+v, %v", in, s, again, err)
		}
	})
}
