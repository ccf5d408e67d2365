package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/store"
)

// Datum is one value another service reports in process (Lambda's AWS/Lambda metrics).
type Datum struct {
	Account, Namespace, Name string
	Dimensions               []Dimension
	Value                    float64
	Unit                     string
	At                       time.Time
}

// buffer sums the data reported in process by metric and second, in memory, and writes the
// sums every second: a report costs a map update under a mutex, never a store write.
type buffer struct {
	s       *Service
	mu      sync.Mutex
	pending map[bufKey]*store.MetricPoint
}

type bufKey struct {
	account, namespace, name, dims, unit string
	sec                                  int64
}

func newBuffer(s *Service) *buffer { return &buffer{s: s, pending: map[bufKey]*store.MetricPoint{}} }

// Record reports data points; they are stored within a second.
func (s *Service) Record(data ...Datum) {
	b := s.buf
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range data {
		k := bufKey{d.Account, d.Namespace, d.Name, dimsKey(d.Dimensions), d.Unit, d.At.Unix()}
		p := b.pending[k]
		if p == nil {
			b.pending[k] = &store.MetricPoint{Account: d.Account, Namespace: d.Namespace, Name: d.Name, Dims: k.dims,
				Time: time.Unix(k.sec, 0).UTC(), Count: 1, Sum: d.Value, Min: d.Value, Max: d.Value, Unit: d.Unit}
			continue
		}
		p.Count++
		p.Sum += d.Value
		p.Min, p.Max = min(p.Min, d.Value), max(p.Max, d.Value)
	}
}

// Flush writes the data reported so far (tests call it to see their data at once).
func (s *Service) Flush(ctx context.Context) error { return s.buf.flush(ctx) }

func (b *buffer) flush(ctx context.Context) error {
	b.mu.Lock()
	if len(b.pending) == 0 {
		b.mu.Unlock()
		return nil
	}
	pts := make([]store.MetricPoint, 0, len(b.pending))
	for _, p := range b.pending {
		pts = append(pts, *p)
	}
	b.pending = map[bufKey]*store.MetricPoint{}
	b.mu.Unlock()
	return b.s.store.PutMetricPoints(ctx, pts)
}

func (b *buffer) run(ctx context.Context) error {
	for {
		if err := background.Sleep(ctx, b.s.clock, time.Second); err != nil {
			return nil
		}
		if err := b.flush(ctx); err != nil {
			b.s.log.Warn("writing in-process metrics", "err", err)
		}
	}
}

// AlarmState is an alarm's current state, as other services (CodeDeploy) read it.
type AlarmState struct {
	Name  string
	State string // OK, ALARM, INSUFFICIENT_DATA
	Found bool
}

// AlarmStates reads the states of an account's alarms by name; a missing alarm has Found false.
func (s *Service) AlarmStates(ctx context.Context, account string, names []string) ([]AlarmState, error) {
	out := make([]AlarmState, 0, len(names))
	for _, n := range names {
		rec, err := s.store.Alarm(ctx, account, n)
		if errors.Is(err, store.ErrNotFound) {
			out = append(out, AlarmState{Name: n})
			continue
		}
		if err != nil {
			return nil, err
		}
		var a alarmDoc
		if err := json.Unmarshal(rec.Doc, &a); err != nil {
			return nil, err
		}
		out = append(out, AlarmState{Name: n, State: a.StateValue, Found: true})
	}
	return out, nil
}
