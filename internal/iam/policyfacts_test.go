package iam

import (
	"context"
	"testing"
	"time"
)

// TestPolicyCacheFacts: a cache made with facts serves them beside the owner and policy from one
// load, and drops them with the policy on Changed.
func TestPolicyCacheFacts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	loads, acl := 0, "private"
	c := NewPolicyCacheWithFacts(nil, "test_facts", func() time.Time { return now },
		func(context.Context, string) (string, string, any, error) {
			loads++
			return "111111111111", "doc", acl, nil
		})
	for range 2 {
		owner, doc, facts, err := c.Facts(ctx, "bucket")
		if err != nil || owner != "111111111111" || doc != "doc" || facts != "private" {
			t.Fatalf("Facts = %q, %q, %v, %v; want the loader's", owner, doc, facts, err)
		}
	}
	if _, doc, _ := c.Policy(ctx, "bucket"); doc != "doc" || loads != 1 {
		t.Errorf("Policy = %q after %d loads; want doc from one load", doc, loads)
	}
	acl = "public-read"
	c.Changed(ctx, "bucket")
	if _, _, facts, _ := c.Facts(ctx, "bucket"); facts != "public-read" {
		t.Errorf("Facts after Changed = %v; want public-read", facts)
	}
}
