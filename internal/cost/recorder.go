// Package cost is gureum's cost ledger: what functions and file systems use, per account,
// function version (or file system) and UTC day, and what that usage would cost on AWS in the
// region, beside an always-on server.
//
// The Recorder takes every completed invocation (Record: a map update under a mutex, no write)
// and file systems' sizes (SampleStorage), adds them up in memory and flushes the sums to the
// store (store.Costs) every second and as the node stops. The ledger rows only grow, and each
// node adds its own sums, so nodes sharing PostgreSQL never overwrite each other's usage. Bill
// prices the rows: the free tier, Lambda's monthly tiers, EFS's GB-months, and an always-on
// server for the same period (prices.go).
package cost

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/store"
)

// Invocation is one completed invocation as Lambda reports it (lambda.Usage has the same fields).
type Invocation struct {
	AccountID, Region, FunctionName, Version, Architecture string
	MemoryMB, EphemeralStorageMB                           int
	BilledDuration                                         time.Duration // rounded up to the millisecond here too
	At                                                     time.Time     // when it ended; its UTC day is the ledger's
}

// FileSystemSize is a file system's metered size now (EFS's SizeInBytes.Value).
type FileSystemSize struct {
	AccountID, FileSystemID string
	Bytes                   int64
}

// FileSystemSizes reports every file system's metered size, of every account (EFS, wired by
// the server).
type FileSystemSizes interface {
	FileSystemSizes(ctx context.Context) ([]FileSystemSize, error)
}

// Ledger is the store the recorder flushes to.
type Ledger interface {
	AddCostUsage(ctx context.Context, rows []store.CostUsage) error
}

// FlushInterval is how often a node writes what it recorded; StorageInterval how often one node
// samples the file systems' sizes (each sample stands for that long).
const (
	FlushInterval   = time.Second
	StorageInterval = time.Minute
)

// freeEphemeralMB is the ephemeral storage every function has at no charge.
const freeEphemeralMB = 512

// Recorder adds usage up in memory and flushes it to the ledger.
type Recorder struct {
	ledger Ledger
	region string
	clock  background.Clock
	log    *slog.Logger

	mu      sync.Mutex
	pending map[usageKey]*counters
}

// usageKey is a ledger row's key; day is y*10000+m*100+d, so that Record formats nothing.
type usageKey struct {
	account, region, service, resource, version, arch string
	day                                               int32
}

type counters struct{ requests, mbms, ephemeral, byteSeconds int64 }

// NewRecorder returns a recorder for the server's region (an invocation or sample without a
// region is counted there). clock and log may be nil.
func NewRecorder(ledger Ledger, region string, clock background.Clock, log *slog.Logger) *Recorder {
	if clock == nil {
		clock = background.RealClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{ledger: ledger, region: region, clock: clock, log: log, pending: map[usageKey]*counters{}}
}

// Register puts the flusher on the runner: a loop on every node.
func (r *Recorder) Register(run *background.Runner) {
	if run != nil {
		run.Go("cost.flush", r.Run)
	}
}

// RegisterStorage puts the storage sampler on the runner: a periodic job on one node at a
// time, every StorageInterval, counting each file system's size for that long.
func (r *Recorder) RegisterStorage(run *background.Runner, sizes FileSystemSizes) {
	if run != nil && sizes != nil {
		run.Every("cost.storage", StorageInterval, func(ctx context.Context) error {
			return r.SampleStorage(ctx, sizes, StorageInterval)
		})
	}
}

// Start does nothing: the runner runs the flusher. The recorder is a component of the server
// so that its Stop, after the services have stopped, writes what their last invocations used.
func (r *Recorder) Start(context.Context) error { return nil }

// Stop writes what is pending (within 5 s).
func (r *Recorder) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Flush(ctx); err != nil {
		r.log.Error("cost: the last flush failed; this usage is lost", "error", err)
	}
}

// Record counts one completed invocation. It never writes: the flusher does.
func (r *Recorder) Record(_ context.Context, inv Invocation) {
	ms := int64((inv.BilledDuration + time.Millisecond - 1) / time.Millisecond)
	if ms < 1 {
		ms = 1 // Lambda bills at least a millisecond
	}
	k := usageKey{account: inv.AccountID, region: inv.Region, service: store.UsageLambda, resource: inv.FunctionName,
		version: inv.Version, arch: inv.Architecture, day: dayOf(inv.At)}
	if k.region == "" {
		k.region = r.region
	}
	if k.version == "" {
		k.version = "$LATEST"
	}
	if k.arch == "" {
		k.arch = X86
	}
	extra := int64(max(inv.EphemeralStorageMB-freeEphemeralMB, 0))
	r.mu.Lock()
	c := r.counter(k)
	c.requests++
	c.mbms += int64(inv.MemoryMB) * ms
	c.ephemeral += extra * ms
	r.mu.Unlock()
}

// counter is k's pending counters, made when missing; r.mu is held.
func (r *Recorder) counter(k usageKey) *counters {
	c := r.pending[k]
	if c == nil {
		c = &counters{}
		r.pending[k] = c
	}
	return c
}

// SampleStorage counts each file system's size as stored for span (byte-seconds), on the day
// of the sample.
func (r *Recorder) SampleStorage(ctx context.Context, sizes FileSystemSizes, span time.Duration) error {
	all, err := sizes.FileSystemSizes(ctx)
	if err != nil {
		return err
	}
	day, secs := dayOf(r.clock.Now()), int64(span/time.Second)
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, fs := range all {
		if fs.Bytes <= 0 {
			continue
		}
		c := r.counter(usageKey{account: fs.AccountID, region: r.region, service: store.UsageEFS, resource: fs.FileSystemID, day: day})
		c.byteSeconds += fs.Bytes * secs
	}
	return nil
}

// Flush writes what was recorded since the last flush; what it could not write stays pending.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	taken := r.pending
	r.pending = map[usageKey]*counters{}
	r.mu.Unlock()
	if len(taken) == 0 {
		return nil
	}
	rows := make([]store.CostUsage, 0, len(taken))
	for k, c := range taken {
		rows = append(rows, store.CostUsage{Account: k.account, Region: k.region, Day: dayString(k.day), Service: k.service,
			Resource: k.resource, Version: k.version, Architecture: k.arch,
			Requests: c.requests, MBMillis: c.mbms, EphemeralMBMillis: c.ephemeral, ByteSeconds: c.byteSeconds})
	}
	err := r.ledger.AddCostUsage(ctx, rows)
	if err != nil {
		r.mu.Lock()
		for k, c := range taken {
			p := r.counter(k)
			p.requests += c.requests
			p.mbms += c.mbms
			p.ephemeral += c.ephemeral
			p.byteSeconds += c.byteSeconds
		}
		r.mu.Unlock()
	}
	return err
}

// Run flushes every FlushInterval until ctx ends, then once more (within 5 s).
func (r *Recorder) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			stop, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			return r.Flush(stop)
		case <-r.clock.After(FlushInterval):
			// A flush cut short by the stop keeps its usage pending for the last one.
			if err := r.Flush(ctx); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
}

func dayOf(t time.Time) int32 {
	y, m, d := t.UTC().Date()
	return int32(y*10000 + int(m)*100 + d)
}

func dayString(d int32) string {
	return time.Date(int(d/10000), time.Month(d/100%100), int(d%100), 0, 0, 0, 0, time.UTC).Format(DayLayout)
}

// DayLayout is how the ledger writes a day.
const DayLayout = "2006-01-02"
