package dynamodb

import (
	"context"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// statsRefresh is how old the ItemCount and sizes DescribeTable reports may be. AWS refreshes
// them about every six hours; gureum counts in the store (a scan of the table's rows, off the
// write path) at most this often per table and node, so the figures are right within it.
const statsRefresh = 15 * time.Second

// tableStats caches each table's measure per node.
type tableStats struct {
	mu   sync.Mutex
	byID map[int64]measured
}

type measured struct {
	at    time.Time
	stats []store.TableStat
}

// stats measures a table, or answers its measure when it is younger than statsRefresh.
func (s *Service) stats(ctx context.Context, t *table) ([]store.TableStat, error) {
	now := s.now()
	s.measures.mu.Lock()
	m, ok := s.measures.byID[t.ID]
	s.measures.mu.Unlock()
	if ok && now.Sub(m.at) < statsRefresh && !now.Before(m.at) {
		return m.stats, nil
	}
	st, err := s.store.TableStats(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	s.measures.mu.Lock()
	if s.measures.byID == nil || len(s.measures.byID) > 10000 {
		s.measures.byID = map[int64]measured{}
	}
	s.measures.byID[t.ID] = measured{at: now, stats: st}
	s.measures.mu.Unlock()
	return st, nil
}

// withStats fills a description's ItemCount and sizes from the table's measure.
func (s *Service) withStats(ctx context.Context, t *table, d *TableDescription) error {
	st, err := s.stats(ctx, t)
	if err != nil {
		return err
	}
	for _, x := range st {
		if x.Index == "" {
			d.ItemCount, d.TableSizeBytes = x.Items, x.Bytes
			continue
		}
		for _, list := range [][]IndexDescription{d.GlobalSecondaryIndexes, d.LocalSecondaryIndexes} {
			for i := range list {
				if list[i].IndexName == x.Index {
					list[i].ItemCount, list[i].IndexSizeBytes = x.Items, x.Bytes
				}
			}
		}
	}
	return nil
}

// forget drops the measure of the tables keys name, after a write through this node: the next
// DescribeTable here measures again (other nodes' measures age out within statsRefresh).
func (m *tableStats) forget(keys []store.ItemKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.byID) == 0 {
		return
	}
	for _, k := range keys {
		delete(m.byID, k.Table)
	}
}

// measuredStore is the service's store, which forgets a table's measure when it writes items.
type measuredStore struct {
	Store
	stats *tableStats
}

func (s measuredStore) WriteItems(ctx context.Context, keys []store.ItemKey, token *store.TableToken, decide func(old []*store.TableItem) ([]store.ItemWrite, error)) error {
	err := s.Store.WriteItems(ctx, keys, token, decide)
	if err == nil {
		s.stats.forget(keys)
	}
	return err
}
