package store

import "context"

// Services a cost ledger row meters.
const (
	UsageLambda = "lambda" // a function version's invocations
	UsageEFS    = "efs"    // a file system's stored bytes
)

// CostUsage is one row of the cost ledger: what one resource used on one UTC day. Its counters only
// grow: a write adds to them.
type CostUsage struct {
	Account      string
	Region       string
	Day          string // YYYY-MM-DD, UTC
	Service      string // UsageLambda or UsageEFS
	Resource     string // the function's name or the file system's id
	Version      string // the function version ("$LATEST", "3"); "" for a file system
	Architecture string // "x86_64" or "arm64"; "" for a file system

	Requests          int64 // invocations
	MBMillis          int64 // memory (MB) × billed duration (ms), summed over invocations
	EphemeralMBMillis int64 // ephemeral storage above 512 MB (MB) × billed duration (ms)
	ByteSeconds       int64 // bytes stored × seconds
}

// CostFilter selects ledger rows; an empty field selects every value.
type CostFilter struct {
	Account  string
	Region   string
	From, To string // days, YYYY-MM-DD, both included
}

// Costs stores the cost ledger.
type Costs interface {
	// AddCostUsage adds each row's counters to the ledger's row of the same account, region, day,
	// service, resource, version and architecture (made when missing), all in one write.
	AddCostUsage(ctx context.Context, rows []CostUsage) error
	// ListCostUsage lists the rows f selects by account, region, day, service, resource, version
	// and architecture.
	ListCostUsage(ctx context.Context, f CostFilter) ([]CostUsage, error)
}
