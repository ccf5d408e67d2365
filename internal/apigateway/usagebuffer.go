package apigateway

import (
	"context"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
)

// usageBuffer counts requests of keys under plans without a quota in memory, and flushes the
// counts to the store every second (and as the node stops), so the check costs no write. Such
// counts feed only GetUsage, which AWS itself reports with a delay. A plan with a quota is
// counted in the store at each request instead: its limit must hold exactly across nodes.
type usageBuffer struct {
	mu sync.Mutex
	m  map[usageKey]int64
}

type usageKey struct{ plan, key, day string }

func (u *usageBuffer) add(plan, key, day string) {
	u.mu.Lock()
	u.m[usageKey{plan, key, day}]++
	u.mu.Unlock()
}

func (u *usageBuffer) take() map[usageKey]int64 {
	u.mu.Lock()
	defer u.mu.Unlock()
	m := u.m
	u.m = map[usageKey]int64{}
	return m
}

// flushUsage writes the buffered counts; counts it could not write go back into the buffer.
func (s *Service) flushUsage(ctx context.Context) error {
	var first error
	for k, n := range s.usage.take() {
		if err := s.store.AddUsage(ctx, k.plan, k.key, k.day, n); err != nil {
			s.usage.mu.Lock()
			s.usage.m[k] += n
			s.usage.mu.Unlock()
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// runUsageFlusher flushes the buffer every second until the runner stops, then once more.
func (s *Service) runUsageFlusher(clock background.Clock) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		for {
			select {
			case <-ctx.Done():
				stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				return s.flushUsage(stop)
			case <-clock.After(time.Second):
				if err := s.flushUsage(ctx); err != nil {
					return err
				}
			}
		}
	}
}
