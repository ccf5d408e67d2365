package eventpattern

import (
	"math/rand"
	"strings"
	"testing"
	"time"
)

func TestWildcardComplexity(t *testing.T) {
	tests := []struct {
		pattern string
		want    int
	}{
		{"exact", 1},
		{"*", 1},
		{"/Users/*/doc.txt", 2},
		{"arn:aws:events:us-east-1:*:event-bus/*", 3},
		{"*:*:*:*:*:event-bus/*", 6},
		{"*aaaa", 5},
		{"*.png", 2},
	}
	for _, tc := range tests {
		w, reason := parseWildcard(tc.pattern)
		if reason != "" {
			t.Fatalf("parseWildcard(%q) = %s", tc.pattern, reason)
		}
		if got := w.complexity(); got != tc.want {
			t.Errorf("complexity(%q) = %d; want %d", tc.pattern, got, tc.want)
		}
	}
}

// TestWildcardComplexityIsBounded: the complexity search on the longest patterns stays cheap.
func TestWildcardComplexityIsBounded(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var b strings.Builder
	for b.Len() < 4000 {
		if r.Intn(40) == 0 {
			b.WriteByte('*')
		}
		b.WriteByte(byte('a' + r.Intn(26)))
	}
	for _, p := range []string{"*" + strings.Repeat("ab", 2000), b.String(), strings.Repeat("*a", 2000), "*" + strings.Repeat("x", 4000)} {
		w, _ := parseWildcard(p)
		start := time.Now()
		w.complexity()
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("complexity of a %d-byte pattern took %v", len(p), d)
		}
	}
}
