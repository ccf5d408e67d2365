package sqs

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// policyTopic is the notifier topic on which a queue ("account/name") is announced when its
// policy may have changed (the queue was created, changed or deleted): every node drops the
// queue from its policy cache.
const policyTopic = "sqs_policies"

// policyCacheTTL bounds how long a node trusts a cached queue policy should an announcement be
// lost (a PostgreSQL listener reconnecting): AWS documents up to 60 seconds for a queue policy
// change to propagate.
const policyCacheTTL = time.Minute

// policyCache holds the policies of queues recently authorized on this node, the absence of one
// included ("" for a queue without a policy, or no queue at all), so that a request to a queue
// without a policy costs the authorizer a map lookup.
type policyCache struct {
	mu sync.RWMutex
	m  map[string]cachedPolicy
}

type cachedPolicy struct {
	owner, doc string
	expires    time.Time
}

func (c *policyCache) get(key string, now time.Time) (cachedPolicy, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	return e, ok && now.Before(e.expires)
}

func (c *policyCache) put(key string, e cachedPolicy) {
	c.mu.Lock()
	if len(c.m) >= maxCachedQueues {
		clear(c.m)
	}
	c.m[key] = e
	c.mu.Unlock()
}

func (c *policyCache) forget(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// ResourcePolicy is SQS's service.ResourcePolicyFunc: the owner and Policy attribute of the queue
// a check names (nothing for "*", a queue that does not exist, or an ARN that is not a queue's).
func (s *Service) ResourcePolicy(ctx context.Context, resource string) (owner, doc string, err error) {
	account, name, ok := queueOfResource(resource)
	if !ok {
		return "", "", nil
	}
	key := account + "/" + name
	now := s.clock.Now()
	if e, ok := s.policies.get(key, now); ok {
		return e.owner, e.doc, nil
	}
	q, err := s.store.Queue(ctx, account, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return "", "", err
	default:
		owner, doc = q.Account, q.Attributes["Policy"]
	}
	s.policies.put(key, cachedPolicy{owner: owner, doc: doc, expires: now.Add(policyCacheTTL)})
	return owner, doc, nil
}

// queueOfResource reads account and name from a queue ARN of any region.
func queueOfResource(arn string) (account, name string, ok bool) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:sqs:")
	if !ok {
		return "", "", false
	}
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return "", "", false
	}
	rest = rest[i+1:]
	j := strings.IndexByte(rest, ':')
	if j < 0 || j == len(rest)-1 || strings.IndexByte(rest[j+1:], ':') >= 0 {
		return "", "", false
	}
	return rest[:j], rest[j+1:], true
}

// policyChanged drops a queue from every node's policy cache: this node's at once, the others'
// when they hear the announcement.
func (s *Service) policyChanged(ctx context.Context, account, name string) {
	key := account + "/" + name
	s.policies.forget(key)
	s.notes.Notify(ctx, policyTopic, key) // best effort: the cache's TTL bounds a lost one
}
