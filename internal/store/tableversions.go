package store

import (
	"context"
	"time"
)

// TableStat is the size of a table (Index "") or of one of its secondary indexes: how many
// items it holds and their stored bytes.
type TableStat struct {
	Index string
	Items int64
	Bytes int64
}

// ItemChange is how an item changed over a span of time (TableVersions.ItemChanges): Old is
// its document when the span began and New when it ended (nil: there was no item then), At the
// time of its last write within the span.
type ItemChange struct {
	PK, SK   []byte
	Old, New []byte
	At       time.Time
}

// TableVersions keeps the item versions of DynamoDB's point-in-time recovery and measures
// tables. A write records a version when its ItemWrite.VersionAt is set.
type TableVersions interface {
	// TableStats measures a table and each of its indexes that holds an entry.
	TableStats(ctx context.Context, table int64) ([]TableStat, error)
	// SnapshotVersions records every item of a table as a version made at at.
	SnapshotVersions(ctx context.Context, table int64, at time.Time) error
	// ItemsAt lists the items of a table as they were at at (their last version made at or
	// before it), in key order after (afterPK, afterSK) when afterPK is set, at most limit.
	ItemsAt(ctx context.Context, table int64, at time.Time, afterPK, afterSK []byte, limit int) ([]TableItem, error)
	// ItemChanges lists the items of a table that a write changed at or after from and before
	// to, in key order after (afterPK, afterSK) when afterPK is set, at most limit: each with
	// its state before from and before to (nil: no item) and the time of its last write.
	ItemChanges(ctx context.Context, table int64, from, to time.Time, afterPK, afterSK []byte, limit int) ([]ItemChange, error)
	// CompactVersions forgets the versions that no time at or after before needs.
	CompactVersions(ctx context.Context, table int64, before time.Time) error
	// DropVersions forgets every version of a table.
	DropVersions(ctx context.Context, table int64) error
	// VersionedTables lists the tables that have versions.
	VersionedTables(ctx context.Context) ([]int64, error)
}
