package store

import (
	"context"
	"time"
)

// Table is a DynamoDB table: the service's document (its description, indexes, TTL, tags, stream
// settings) under a revision that rises at every update.
type Table struct {
	ID      int64 // set by CreateTable
	Account string
	Name    string
	Rev     int64 // 1 when created; an update names the rev it read
	Doc     []byte
	Created time.Time
}

// ItemKey names an item of a table by the byte encodings of its key values, whose byte order is
// DynamoDB's order (SK is empty for a table without a sort key).
type ItemKey struct {
	Table  int64
	PK, SK []byte
}

// TableItem is a stored item: its key, its DynamoDB JSON and its TTL (epoch seconds; 0: none).
type TableItem struct {
	PK, SK  []byte
	Doc     []byte
	Expires int64
}

// IndexEntry is an item's entry in one of its table's secondary indexes: the index's partition
// key encoding and Ord, the order-preserving encoding of (index sort key, table key).
type IndexEntry struct {
	Index string
	PK    []byte
	Ord   []byte
}

// ItemWrite is the new state of one item: Doc nil deletes it. Indexes are its entries in the
// table's indexes, which replace the old ones. Stream, when set, is the change's stream record,
// stored in the same transaction.
type ItemWrite struct {
	Key     ItemKey
	Doc     []byte
	Expires int64
	Indexes []IndexEntry
	Stream  *StreamRecord
	// VersionAt, when set, records the item's new state as a version made then (TableVersions).
	VersionAt time.Time
}

// StreamRecord is one record of a table's stream (the stream named by its label): Seq is its
// sequence number, set when it is stored, rising across every stream of the store.
type StreamRecord struct {
	Table   int64
	Label   string
	Seq     int64
	Doc     []byte
	Created time.Time
}

// ItemRange is a query: the items of one partition (of the table, or of an index when Index is
// set) whose SK (table) or Ord (index) is in [Lo, Hi), in order or in reverse, at most Limit.
type ItemRange struct {
	Table  int64
	Index  string
	PK     []byte
	Lo, Hi []byte // nil Hi: no upper bound
	Desc   bool
	Limit  int
}

// TableToken is a ClientRequestToken of a transaction, kept with the transaction's writes.
type TableToken struct {
	Account string
	Token   string
	Hash    []byte // what the request asked, to refuse the token with other parameters
	Created time.Time
}

// Tables stores DynamoDB's tables and their items.
type Tables interface {
	// CreateTable stores t at rev 1 and sets t.ID; ErrExists when the name is taken.
	CreateTable(ctx context.Context, t *Table) error
	// Table reads a table; ErrNotFound when there is none.
	Table(ctx context.Context, account, name string) (Table, error)
	// ListTables lists an account's tables by name after after (limit 0: all).
	ListTables(ctx context.Context, account, after string, limit int) ([]Table, error)
	// UpdateTable replaces the doc of a table still at t.Rev; ErrConditionFailed otherwise.
	UpdateTable(ctx context.Context, t Table) error
	// DeleteTable removes a table with its items; ErrNotFound when there is none.
	DeleteTable(ctx context.Context, account, name string) error

	// GetItem reads one item; ErrNotFound when there is none.
	GetItem(ctx context.Context, k ItemKey) (TableItem, error)
	// QueryItems reads a range of a partition, a range scan on the store's index.
	QueryItems(ctx context.Context, r ItemRange) ([]TableItem, error)
	// ScanItems reads the items of a table (index "") or an index in key order, after the
	// position (afterPK, afterOrd) when afterPK is set (afterOrd is SK for the table).
	ScanItems(ctx context.Context, table int64, index string, afterPK, afterOrd []byte, limit int) ([]TableItem, error)
	// WriteItems reads the items of keys (nil where there is none), lets decide choose the
	// writes, and makes them in one transaction in which no other write touches those keys; an
	// error from decide is returned and nothing is written. A token is recorded with the writes
	// (ErrExists if it was recorded meanwhile).
	WriteItems(ctx context.Context, keys []ItemKey, token *TableToken, decide func(old []*TableItem) ([]ItemWrite, error)) error
	// TableToken reads a recorded transaction token; ErrNotFound when there is none.
	TableToken(ctx context.Context, account, token string) (TableToken, error)
	// DropTableTokens forgets tokens created before before.
	DropTableTokens(ctx context.Context, before time.Time) error
	// TableByID reads a table by its id; ErrNotFound when there is none.
	TableByID(ctx context.Context, id int64) (Table, error)
	// StreamRecords lists up to limit records of a table's stream after seq, in order.
	StreamRecords(ctx context.Context, table int64, label string, after int64, limit int) ([]StreamRecord, error)
	// LastStreamSeq is the highest sequence number stored so far (0: none).
	LastStreamSeq(ctx context.Context) (int64, error)
	// DropStreamRecords forgets records created before before.
	DropStreamRecords(ctx context.Context, before time.Time) error
	// ExpiredItems lists up to limit items whose TTL is at or before now (epoch seconds).
	ExpiredItems(ctx context.Context, now int64, limit int) ([]ItemKey, error)
}
