package lambda

import (
	"context"
	"time"
)

// Usage is one completed invocation as a cost ledger bills it: the function's memory and
// ephemeral storage, and the duration billed (init included, as Lambda bills since August 2025)
// rounded up to the millisecond.
type Usage struct {
	AccountID, Region, FunctionName, Version, Architecture string
	MemoryMB, EphemeralStorageMB                           int
	BilledDuration                                         time.Duration
	At                                                     time.Time
	// For CloudWatch's AWS/Lambda metrics: the qualifier invoked (an alias or version, "" for
	// none), how long the invocation ran, whether the function failed, and whether it was
	// throttled instead (a throttled invocation ran nothing and costs nothing).
	Qualifier     string
	Duration      time.Duration
	FunctionError bool
	Throttled     bool
}

// UsageRecorder receives each completed invocation (synchronous, asynchronous and from event
// source mappings). It is called on the invoke path after the answer is known: it must be cheap
// and must not block (buffer, then write elsewhere).
type UsageRecorder interface {
	RecordUsage(ctx context.Context, u Usage)
}

// recordUsage reports an invocation of inv that took d to the configured recorder, if any.
func (s *Service) recordUsage(ctx context.Context, inv *invocation, d time.Duration, fnErr, throttled bool) {
	if s.cfg.Usage == nil {
		return
	}
	u := Usage{AccountID: inv.r.account, Region: s.cfg.Region, FunctionName: inv.r.name, Version: inv.v.Version,
		Architecture: "x86_64", MemoryMB: 128, EphemeralStorageMB: 512, BilledDuration: time.Duration(billed(d)) * time.Millisecond, At: s.cfg.Now(),
		Qualifier: inv.r.qualifier, Duration: d, FunctionError: fnErr, Throttled: throttled}
	if c := inv.c; c != nil {
		if len(c.Architectures) > 0 {
			u.Architecture = c.Architectures[0]
		}
		if c.MemorySize > 0 {
			u.MemoryMB = int(c.MemorySize)
		}
		if c.EphemeralStorage != nil && c.EphemeralStorage.Size > 0 {
			u.EphemeralStorageMB = int(c.EphemeralStorage.Size)
		}
	}
	s.cfg.Usage.RecordUsage(ctx, u)
}
