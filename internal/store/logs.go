package store

import (
	"context"
	"time"
)

// LogGroup is a CloudWatch Logs log group.
type LogGroup struct {
	ID            int64 // the store's key, for event queries
	Account, Name string
	Created       time.Time
	RetentionDays int // 0: events never expire
	Tags          map[string]string
}

// LogStream is a stream of log events in a group. Times are milliseconds since the epoch, 0 when
// the stream has no events.
type LogStream struct {
	ID, GroupID   int64
	Name          string
	Created       time.Time
	FirstEvent    int64
	LastEvent     int64
	LastIngestion int64
}

// LogEvent is one log event. ID orders events of equal Timestamp in the order they were stored.
type LogEvent struct {
	ID        int64
	StreamID  int64
	Stream    string // the stream's name, filled in by group queries
	Timestamp int64  // ms
	Ingestion int64  // ms
	Message   string
}

// LogCursor is a position between events: (Timestamp, ID) in their order.
type LogCursor struct{ Timestamp, ID int64 }

// LogEventQuery is a range scan over one stream's events or a whole group's.
type LogEventQuery struct {
	GroupID  int64
	StreamID int64 // 0: every stream of the group, in time order
	// After (forward) or Before (Backward) bounds the scan exclusively; End is the exclusive end
	// of time forward and Start the inclusive start backward.
	From     LogCursor
	Start    int64
	End      int64
	Backward bool
	Limit    int
}

// LogStreamQuery lists a group's streams: by name (after a name, with a prefix) or by last event
// time, descending or not, after a cursor.
type LogStreamQuery struct {
	GroupID     int64
	Prefix      string
	ByLastEvent bool
	Descending  bool
	AfterName   string // exclusive; "" starts at the beginning (or the end, descending)
	AfterTime   int64  // ByLastEvent: the cursor's time
	Started     bool   // a cursor is given
	Limit       int
}

// Logs stores CloudWatch Logs groups, streams and events. Events are indexed by (stream, time)
// and (group, time), so reads are range scans; deleted groups and streams and events past their
// group's retention are removed in slices by SweepLogs.
type Logs interface {
	CreateLogGroup(ctx context.Context, g LogGroup) error // ErrExists
	LogGroup(ctx context.Context, account, name string) (LogGroup, error)
	// ListLogGroups lists an account's groups by name after after (exclusive), whose names start
	// with prefix.
	ListLogGroups(ctx context.Context, account, prefix, after string, limit int) ([]LogGroup, error)
	// UpdateLogGroup changes a group's retention and tags in one transaction.
	UpdateLogGroup(ctx context.Context, account, name string, fn func(*LogGroup) error) error
	DeleteLogGroup(ctx context.Context, account, name string) error
	CreateLogStream(ctx context.Context, groupID int64, s LogStream) error // ErrExists; ErrNotFound for the group
	LogStream(ctx context.Context, groupID int64, name string) (LogStream, error)
	ListLogStreams(ctx context.Context, q LogStreamQuery) ([]LogStream, error)
	DeleteLogStream(ctx context.Context, groupID int64, name string) error
	// AppendLogEvents stores events in a stream in one transaction. With create, a missing group
	// (and stream) are created first; otherwise they are ErrNotFound.
	AppendLogEvents(ctx context.Context, account, group, stream string, events []LogEvent, create bool, now time.Time) error
	LogEvents(ctx context.Context, q LogEventQuery) ([]LogEvent, error)
	// SweepLogs deletes up to limit events past their group's retention at now, or of deleted
	// groups and streams, and reports how many it deleted.
	SweepLogs(ctx context.Context, now time.Time, limit int) (int, error)
}
