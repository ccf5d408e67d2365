package iam

import (
	"context"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// PolicyCacheTTL bounds how long a node trusts a cached resource policy should a change's
// announcement be lost (a PostgreSQL listener reconnecting): AWS documents up to a minute for
// policy changes to propagate.
const PolicyCacheTTL = time.Minute

const maxCachedResources = 10000

// PolicyCache is a service's service.ResourcePolicyFunc with a per-node cache in front of it:
// resources' owners and policies (their absence included, so a request to a resource without a
// policy costs a map lookup), dropped when the service reports a change (Changed), on this node
// at once and on the others through the store's notifier.
type PolicyCache struct {
	notes store.Notifier // nil: this node alone
	topic string
	now   func() time.Time
	load  func(ctx context.Context, resource string) (owner, doc string, facts any, err error)

	mu sync.RWMutex
	m  map[string]cachedPolicy
}

type cachedPolicy struct {
	owner, doc string
	facts      any // what a cache made by NewPolicyCacheWithFacts keeps beside the policy
	expires    time.Time
}

// NewPolicyCache returns a cache that loads through load and announces changes on the notifier
// topic (lower-case letters, digits and underscores).
func NewPolicyCache(notes store.Notifier, topic string, now func() time.Time,
	load func(ctx context.Context, resource string) (owner, doc string, err error)) *PolicyCache {
	return NewPolicyCacheWithFacts(notes, topic, now, func(ctx context.Context, resource string) (string, string, any, error) {
		owner, doc, err := load(ctx, resource)
		return owner, doc, nil, err
	})
}

// Policy is the service.ResourcePolicyFunc: the cached answer, or load's.
func (c *PolicyCache) Policy(ctx context.Context, resource string) (owner, doc string, err error) {
	e, err := c.entry(ctx, resource)
	return e.owner, e.doc, err
}

// entry is a resource's cached entry, or load's answer, cached.
func (c *PolicyCache) entry(ctx context.Context, resource string) (cachedPolicy, error) {
	now := c.now()
	c.mu.RLock()
	e, ok := c.m[resource]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e, nil
	}
	owner, doc, facts, err := c.load(ctx, resource)
	if err != nil {
		return cachedPolicy{}, err
	}
	e = cachedPolicy{owner: owner, doc: doc, facts: facts, expires: now.Add(PolicyCacheTTL)}
	c.mu.Lock()
	if len(c.m) >= maxCachedResources {
		clear(c.m)
	}
	c.m[resource] = e
	c.mu.Unlock()
	return e, nil
}

// Changed drops a resource whose policy or existence changed, here and on every node.
func (c *PolicyCache) Changed(ctx context.Context, resource string) {
	c.forget(resource)
	if c.notes != nil {
		c.notes.Notify(ctx, c.topic, resource) // best effort: the TTL bounds a lost one
	}
}

func (c *PolicyCache) forget(resource string) {
	c.mu.Lock()
	if resource == "" { // changes may have been missed: every entry is read again
		clear(c.m)
	} else {
		delete(c.m, resource)
	}
	c.mu.Unlock()
}

// Subscribe listens for other nodes' changes until cancel.
func (c *PolicyCache) Subscribe() (cancel func()) {
	if c.notes == nil {
		return func() {}
	}
	return c.notes.Subscribe(c.topic, c.forget)
}
