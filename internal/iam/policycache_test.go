package iam

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store/sqlite"
)

// TestPolicyCache: a policy is loaded once and then served from the cache; a change reported on
// one node (Changed) drops it there at once and, through the store's notifier, on the other
// nodes subscribed to the topic; an entry older than PolicyCacheTTL is loaded again.
func TestPolicyCache(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	var loads atomic.Int64
	doc := "v1"
	load := func(context.Context, string) (string, string, error) {
		loads.Add(1)
		return "111111111111", doc, nil
	}
	clock := func() time.Time { return now }
	// Two nodes' caches on one store: the notifier carries one's changes to the other.
	a := NewPolicyCache(st, "test_policies", clock, load)
	b := NewPolicyCache(st, "test_policies", clock, load)
	defer a.Subscribe()()
	defer b.Subscribe()()
	const q = "arn:aws:sqs:us-east-1:111111111111:q"
	for _, c := range []*PolicyCache{a, b, a, b} {
		if _, got, err := c.Policy(ctx, q); err != nil || got != "v1" {
			t.Fatalf("Policy = %q, %v; want v1", got, err)
		}
	}
	if n := loads.Load(); n != 2 {
		t.Errorf("loads = %d; want one per node", n)
	}
	doc = "v2"
	a.Changed(ctx, q)
	for name, c := range map[string]*PolicyCache{"changing node": a, "other node": b} {
		if _, got, _ := c.Policy(ctx, q); got != "v2" {
			t.Errorf("%s after the change: Policy = %q; want v2", name, got)
		}
	}
	doc = "v3" // changed behind the caches' back: the TTL bounds how long they keep v2
	now = now.Add(PolicyCacheTTL)
	if _, got, _ := b.Policy(ctx, q); got != "v3" {
		t.Errorf("after the TTL: Policy = %q; want v3", got)
	}
}
