package domain

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"
)

// Cache answers which custom domain a Host names, per node: each host's answer (a domain, or
// none) is kept for TTL, so a host costs the store one point read a TTL at most; changes made
// on this node drop their entry at once (Drop), other nodes' are seen within TTL. Hosts that
// cannot be a custom domain (gureum's own *.localhost names, IP addresses, names without a dot)
// are refused without a lookup, so API calls pay nothing.
type Cache struct {
	st  Store
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	doc     *Doc // nil: no such domain
	fetched time.Time
}

// maxCached bounds the entries (most of them answers of "no such domain" for hosts clients
// made up); when full the cache starts over.
const maxCached = 4096

// NewCache returns a cache over st; now nil is time.Now.
func NewCache(st Store, ttl time.Duration, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{st: st, ttl: ttl, now: now, entries: map[string]cacheEntry{}}
}

// Candidate reports whether a host could be a custom domain name at all.
func Candidate(host string) bool {
	if host == "" || len(host) > 253 || !strings.Contains(host, ".") || net.ParseIP(host) != nil {
		return false
	}
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h != "localhost" && !strings.HasSuffix(h, ".localhost")
}

// Lookup finds the domain a host names; nil when none (or the store failed: the request is
// answered as for an unknown host and asked again after TTL).
func (c *Cache) Lookup(ctx context.Context, host string) *Doc {
	if c == nil || !Candidate(host) {
		return nil
	}
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	now := c.now()
	c.mu.Lock()
	e, ok := c.entries[name]
	c.mu.Unlock()
	if ok && now.Sub(e.fetched) < c.ttl {
		return e.doc
	}
	d, _, err := Load(ctx, c.st, "", name)
	if _, parent, ok := strings.Cut(name, "."); errors.Is(err, ErrNotFound) && ok && strings.Contains(parent, ".") {
		d, _, err = Load(ctx, c.st, "", "*."+parent) // a wildcard domain name
	}
	if err != nil {
		d = nil
	}
	c.mu.Lock()
	if len(c.entries) >= maxCached {
		c.entries = map[string]cacheEntry{}
	}
	c.entries[name] = cacheEntry{doc: d, fetched: now}
	c.mu.Unlock()
	return d
}

// Match is Lookup as a router endpoint's host matcher.
func (c *Cache) Match(ctx context.Context, host string) bool { return c.Lookup(ctx, host) != nil }

// Drop forgets a domain's entry after a change made on this node.
func (c *Cache) Drop(name string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	delete(c.entries, strings.ToLower(name))
	c.mu.Unlock()
}
