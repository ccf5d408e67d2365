package iam

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// NewPolicyCacheWithFacts returns a PolicyCache whose loader also answers what its service
// decides with beside the resource's owner and policy (S3: a bucket's parsed policy, canned ACL
// and public-access block, which it weighs for anonymous callers). The facts live in the same
// entries as the policy, so they are dropped, announced and expired with it; Facts reads them.
func NewPolicyCacheWithFacts(notes store.Notifier, topic string, now func() time.Time,
	load func(ctx context.Context, resource string) (owner, doc string, facts any, err error)) *PolicyCache {
	return &PolicyCache{notes: notes, topic: topic, now: now, load: load, m: map[string]cachedPolicy{}}
}

// Facts is Policy with the facts the loader answered (nil from a cache made by NewPolicyCache).
// A cached value is shared: callers must not change it.
func (c *PolicyCache) Facts(ctx context.Context, resource string) (owner, doc string, facts any, err error) {
	e, err := c.entry(ctx, resource)
	return e.owner, e.doc, e.facts, err
}
