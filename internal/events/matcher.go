package events

import (
	"context"
	"strings"
	"sync"

	"github.com/gureum/gureum/internal/eventpattern"
)

// rulesTopic is the notifier topic on which a bus whose rules changed is announced
// ("account/bus"), so every node drops its compiled copy.
const rulesTopic = "events_rules"

type busKey struct{ account, bus string }

// compiledRule is an enabled rule with a pattern, as PutEvents matches it.
type compiledRule struct {
	name, arn string
	targets   []Target
}

// compiledBus is a bus's enabled pattern rules compiled into one eventpattern.Set; immutable
// once built, rebuilt when the bus's rules change.
type compiledBus struct {
	set   eventpattern.Set
	rules []compiledRule
}

// matcher caches each bus's compiled rules.
type matcher struct {
	s     *Service
	mu    sync.Mutex
	gen   uint64
	buses map[busKey]*compiledBus
}

// get returns the bus's compiled rules, compiling them on first use after a change; it answers
// ResourceNotFoundException for a bus that does not exist.
func (m *matcher) get(ctx context.Context, account, bus string) (*compiledBus, error) {
	k := busKey{account, bus}
	m.mu.Lock()
	cb, gen := m.buses[k], m.gen
	m.mu.Unlock()
	if cb != nil {
		return cb, nil
	}
	if _, _, err := m.s.bus(ctx, account, bus); err != nil {
		return nil, err // a missing bus is not cached: it may be created
	}
	rules, err := m.s.store.ListEventRules(ctx, account, bus)
	if err != nil {
		return nil, err
	}
	cb = &compiledBus{}
	for _, r := range rules {
		d := decodeRule(r)
		if d.EventPattern == "" || !d.enabled() {
			continue
		}
		p, err := eventpattern.Compile([]byte(d.EventPattern), eventpattern.EventBridge)
		if err != nil {
			continue // validated when put; a pattern the engine now refuses matches nothing
		}
		cb.set.Add(p)
		cb.rules = append(cb.rules, compiledRule{name: r.Name, arn: m.s.ruleARN(account, bus, r.Name), targets: d.Targets})
	}
	m.mu.Lock()
	if m.gen == gen {
		m.buses[k] = cb
	}
	m.mu.Unlock()
	return cb, nil
}

// changed drops the bus's compiled rules here and announces the change to the other nodes.
func (m *matcher) changed(ctx context.Context, account, bus string) {
	m.forget(account + "/" + bus)
	m.s.store.Notify(ctx, rulesTopic, account+"/"+bus)
}

// forget drops a bus's compiled rules ("account/bus").
func (m *matcher) forget(key string) {
	account, bus, _ := strings.Cut(key, "/")
	m.mu.Lock()
	m.gen++
	delete(m.buses, busKey{account, bus})
	m.mu.Unlock()
}
