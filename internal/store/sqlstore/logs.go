package sqlstore

import (
	"context"
	"database/sql"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gureum/gureum/internal/store"
)

// Logs implements store.Logs: CloudWatch Logs groups, streams and events. Events are appended in
// multi-row inserts inside the caller's one write (which the writer group-commits with others),
// read by range scans over (stream, time, id) or (group, time, id), and deleted by SweepLogs in
// slices.
type Logs struct {
	base
	st struct {
		createGroup, ensureGroup, groupTx, updateGroup, deleteGroup, dropStreams, drop *stmt
		createStream, ensureStream, streamTx, streamByName, deleteStream, touchStream  *stmt
		insertOne, insertMany                                                          *stmt
		sweepRetention, sweepGroups, sweepStreams, forgetGroups, forgetStreams         *stmt
		group, listGroups                                                              *stmt
		stream, streamsByName, streamsByNameDesc, streamsByTime, streamsByTimeDesc     *stmt
		eventsStream, eventsStreamBack, eventsGroup                                    *stmt
	}
}

var _ store.Logs = (*Logs)(nil)

// insertBatch is how many events one multi-row INSERT stores (5 values each).
const insertBatch = 64

const (
	logGroupColumns  = `id, account, name, created_at, retention_days, tags`
	logStreamColumns = `id, group_id, name, created_at, first_event, last_event, last_ingestion`
	logEventColumns  = `e.id, e.stream_id, s.name, e.ts, e.ingested, e.message`
	logEventsFrom    = ` FROM log_events e JOIN log_streams s ON s.id = e.stream_id `
	// lastName sorts after every stream name (U+10FFFF twice), the start of a descending list.
	lastName = "\U0010FFFF\U0010FFFF"
)

func newLogs(b base) *Logs {
	s := &Logs{base: b.of("logs")}
	w, r := s.stmts.w, s.stmts.r
	s.st.createGroup = w("createGroup", `INSERT INTO log_groups (account, name, created_at, retention_days, tags) VALUES (?, ?, ?, ?, ?)`)
	s.st.ensureGroup = w("ensureGroup", `INSERT INTO log_groups (account, name, created_at) VALUES (?, ?, ?) ON CONFLICT (account, name) DO NOTHING`)
	s.st.groupTx = w("groupTx", `SELECT `+logGroupColumns+` FROM log_groups WHERE account = ? AND name = ?`)
	s.st.updateGroup = w("updateGroup", `UPDATE log_groups SET retention_days = ?, tags = ? WHERE id = ?`)
	s.st.deleteGroup = w("deleteGroup", `DELETE FROM log_groups WHERE id = ?`)
	s.st.dropStreams = w("dropStreams", `DELETE FROM log_streams WHERE group_id = ?`)
	s.st.drop = w("drop", `INSERT INTO log_dropped (kind, id) VALUES (?, ?) ON CONFLICT (kind, id) DO NOTHING`)
	s.st.createStream = w("createStream", `INSERT INTO log_streams (group_id, name, created_at) VALUES (?, ?, ?)`)
	s.st.ensureStream = w("ensureStream", `INSERT INTO log_streams (group_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (group_id, name) DO NOTHING`)
	s.st.streamTx = w("streamTx", `SELECT `+logStreamColumns+` FROM log_streams WHERE group_id = ? AND name = ?`)
	s.st.streamByName = w("streamByName", `SELECT s.id, s.group_id, s.name, s.created_at, s.first_event, s.last_event, s.last_ingestion
		FROM log_groups g JOIN log_streams s ON s.group_id = g.id WHERE g.account = ? AND g.name = ? AND s.name = ?`)
	s.st.deleteStream = w("deleteStream", `DELETE FROM log_streams WHERE id = ?`)
	s.st.touchStream = w("touchStream", `UPDATE log_streams SET
		first_event = CASE WHEN first_event = 0 OR first_event > ? THEN ? ELSE first_event END,
		last_event = CASE WHEN last_event < ? THEN ? ELSE last_event END,
		last_ingestion = ? WHERE id = ?`)
	s.st.insertOne = w("insertOne", `INSERT INTO log_events (group_id, stream_id, ts, ingested, message) VALUES (?, ?, ?, ?, ?)`)
	s.st.insertMany = w("insertMany", `INSERT INTO log_events (group_id, stream_id, ts, ingested, message) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?), ", insertBatch), ", "))
	// Groups first (CROSS JOIN keeps SQLite's planner to that order), then each group's range of
	// expired events in log_events_group: the cost is what expired, not every event stored.
	s.st.sweepRetention = w("sweepRetention", `DELETE FROM log_events WHERE id IN (
		SELECT e.id FROM log_groups g CROSS JOIN log_events e
		WHERE g.retention_days > 0 AND e.group_id = g.id AND e.ts < ? - CAST(g.retention_days AS BIGINT) * 86400000 LIMIT ?)`)
	s.st.sweepGroups = w("sweepGroups", `DELETE FROM log_events WHERE id IN (
		SELECT e.id FROM log_dropped d JOIN log_events e ON e.group_id = d.id WHERE d.kind = 'g' LIMIT ?)`)
	s.st.sweepStreams = w("sweepStreams", `DELETE FROM log_events WHERE id IN (
		SELECT e.id FROM log_dropped d JOIN log_events e ON e.stream_id = d.id WHERE d.kind = 's' LIMIT ?)`)
	s.st.forgetGroups = w("forgetGroups", `DELETE FROM log_dropped WHERE kind = 'g'
		AND NOT EXISTS (SELECT 1 FROM log_events e WHERE e.group_id = log_dropped.id)`)
	s.st.forgetStreams = w("forgetStreams", `DELETE FROM log_dropped WHERE kind = 's'
		AND NOT EXISTS (SELECT 1 FROM log_events e WHERE e.stream_id = log_dropped.id)`)
	s.st.group = r("group", `SELECT `+logGroupColumns+` FROM log_groups WHERE account = ? AND name = ?`)
	s.st.listGroups = r("listGroups", `SELECT `+logGroupColumns+` FROM log_groups
		WHERE account = ? AND name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?`)
	s.st.stream = r("stream", `SELECT `+logStreamColumns+` FROM log_streams WHERE group_id = ? AND name = ?`)
	s.st.streamsByName = r("streamsByName", `SELECT `+logStreamColumns+` FROM log_streams
		WHERE group_id = ? AND name > ? AND substr(name, 1, ?) = ? ORDER BY name LIMIT ?`)
	s.st.streamsByNameDesc = r("streamsByNameDesc", `SELECT `+logStreamColumns+` FROM log_streams
		WHERE group_id = ? AND name < ? AND substr(name, 1, ?) = ? ORDER BY name DESC LIMIT ?`)
	s.st.streamsByTime = r("streamsByTime", `SELECT `+logStreamColumns+` FROM log_streams
		WHERE group_id = ? AND (last_event, name) > (?, ?) ORDER BY last_event, name LIMIT ?`)
	s.st.streamsByTimeDesc = r("streamsByTimeDesc", `SELECT `+logStreamColumns+` FROM log_streams
		WHERE group_id = ? AND (last_event, name) < (?, ?) ORDER BY last_event DESC, name DESC LIMIT ?`)
	s.st.eventsStream = r("eventsStream", `SELECT `+logEventColumns+logEventsFrom+`
		WHERE e.stream_id = ? AND (e.ts, e.id) > (?, ?) AND e.ts < ? ORDER BY e.ts, e.id LIMIT ?`)
	s.st.eventsStreamBack = r("eventsStreamBack", `SELECT `+logEventColumns+logEventsFrom+`
		WHERE e.stream_id = ? AND (e.ts, e.id) < (?, ?) AND e.ts >= ? ORDER BY e.ts DESC, e.id DESC LIMIT ?`)
	s.st.eventsGroup = r("eventsGroup", `SELECT `+logEventColumns+logEventsFrom+`
		WHERE e.group_id = ? AND (e.ts, e.id) > (?, ?) AND e.ts < ? ORDER BY e.ts, e.id LIMIT ?`)
	return s
}

func scanLogGroup(row scanner) (store.LogGroup, error) {
	var g store.LogGroup
	var created int64
	var tags string
	if err := row.Scan(&g.ID, &g.Account, &g.Name, &created, &g.RetentionDays, &tags); err != nil {
		return store.LogGroup{}, err
	}
	g.Created, g.Tags = fromNanos(created), decodeMap(tags)
	return g, nil
}

func scanLogStream(row scanner) (store.LogStream, error) {
	var x store.LogStream
	var created int64
	err := row.Scan(&x.ID, &x.GroupID, &x.Name, &created, &x.FirstEvent, &x.LastEvent, &x.LastIngestion)
	x.Created = fromNanos(created)
	return x, err
}

func scanLogEvent(row scanner) (store.LogEvent, error) {
	var e store.LogEvent
	err := row.Scan(&e.ID, &e.StreamID, &e.Stream, &e.Timestamp, &e.Ingestion, &e.Message)
	return e, err
}

// CreateLogGroup stores a new group.
func (s *Logs) CreateLogGroup(ctx context.Context, g store.LogGroup) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.createGroup.in(ctx, tx).ExecContext(ctx, g.Account, g.Name, nanos(g.Created), g.RetentionDays, encodeMap(g.Tags))
		return s.fault("CreateLogGroup", err)
	})
}

// LogGroup reads one group.
func (s *Logs) LogGroup(ctx context.Context, account, name string) (store.LogGroup, error) {
	g, err := scanLogGroup(s.st.group.ps.QueryRowContext(ctx, account, name))
	return g, s.fault("LogGroup", err)
}

// ListLogGroups lists an account's groups by name.
func (s *Logs) ListLogGroups(ctx context.Context, account, prefix, after string, limit int) ([]store.LogGroup, error) {
	rows, err := s.st.listGroups.ps.QueryContext(ctx, account, after, utf8.RuneCountInString(prefix), prefix, limit)
	out, err := collect(rows, err, 0, scanLogGroup)
	return out, s.fault("ListLogGroups", err)
}

// UpdateLogGroup reads a group, lets fn change its retention and tags and stores them.
func (s *Logs) UpdateLogGroup(ctx context.Context, account, name string, fn func(*store.LogGroup) error) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		g, err := scanLogGroup(s.st.groupTx.in(ctx, tx).QueryRowContext(ctx, account, name))
		if err != nil {
			return s.fault("UpdateLogGroup", err)
		}
		if err := fn(&g); err != nil {
			return err
		}
		_, err = s.st.updateGroup.in(ctx, tx).ExecContext(ctx, g.RetentionDays, encodeMap(g.Tags), g.ID)
		return s.fault("UpdateLogGroup", err)
	})
}

// DeleteLogGroup removes a group and its streams; the sweep removes their events.
func (s *Logs) DeleteLogGroup(ctx context.Context, account, name string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		g, err := scanLogGroup(s.st.groupTx.in(ctx, tx).QueryRowContext(ctx, account, name))
		if err != nil {
			return s.fault("DeleteLogGroup", err)
		}
		for _, step := range []struct {
			st   *stmt
			args []any
		}{{s.st.deleteGroup, []any{g.ID}}, {s.st.dropStreams, []any{g.ID}}, {s.st.drop, []any{"g", g.ID}}} {
			if _, err := step.st.in(ctx, tx).ExecContext(ctx, step.args...); err != nil {
				return s.fault("DeleteLogGroup", err)
			}
		}
		return nil
	})
}

// CreateLogStream stores a new stream in a group.
func (s *Logs) CreateLogStream(ctx context.Context, groupID int64, x store.LogStream) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.createStream.in(ctx, tx).ExecContext(ctx, groupID, x.Name, nanos(x.Created))
		return s.fault("CreateLogStream", err)
	})
}

// LogStream reads one stream.
func (s *Logs) LogStream(ctx context.Context, groupID int64, name string) (store.LogStream, error) {
	x, err := scanLogStream(s.st.stream.ps.QueryRowContext(ctx, groupID, name))
	return x, s.fault("LogStream", err)
}

// ListLogStreams lists a group's streams in the query's order.
func (s *Logs) ListLogStreams(ctx context.Context, q store.LogStreamQuery) ([]store.LogStream, error) {
	var st *stmt
	var args []any
	n := utf8.RuneCountInString(q.Prefix)
	switch {
	case q.ByLastEvent && q.Descending:
		t, name := int64(math.MaxInt64), lastName
		if q.Started {
			t, name = q.AfterTime, q.AfterName
		}
		st, args = s.st.streamsByTimeDesc, []any{q.GroupID, t, name, q.Limit}
	case q.ByLastEvent:
		t, name := int64(math.MinInt64), ""
		if q.Started {
			t, name = q.AfterTime, q.AfterName
		}
		st, args = s.st.streamsByTime, []any{q.GroupID, t, name, q.Limit}
	case q.Descending:
		name := lastName
		if q.Started {
			name = q.AfterName
		}
		st, args = s.st.streamsByNameDesc, []any{q.GroupID, name, n, q.Prefix, q.Limit}
	default:
		st, args = s.st.streamsByName, []any{q.GroupID, q.AfterName, n, q.Prefix, q.Limit}
	}
	rows, err := st.ps.QueryContext(ctx, args...)
	out, err := collect(rows, err, 0, scanLogStream)
	return out, s.fault("ListLogStreams", err)
}

// DeleteLogStream removes a stream; the sweep removes its events.
func (s *Logs) DeleteLogStream(ctx context.Context, groupID int64, name string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		x, err := scanLogStream(s.st.streamTx.in(ctx, tx).QueryRowContext(ctx, groupID, name))
		if err != nil {
			return s.fault("DeleteLogStream", err)
		}
		if _, err := s.st.deleteStream.in(ctx, tx).ExecContext(ctx, x.ID); err != nil {
			return s.fault("DeleteLogStream", err)
		}
		_, err = s.st.drop.in(ctx, tx).ExecContext(ctx, "s", x.ID)
		return s.fault("DeleteLogStream", err)
	})
}

// AppendLogEvents stores a batch of events in one transaction.
func (s *Logs) AppendLogEvents(ctx context.Context, account, group, stream string, events []store.LogEvent, create bool, now time.Time) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		x, err := s.streamFor(ctx, tx, account, group, stream, create, now)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		if err := s.insert(ctx, tx, x, events); err != nil {
			return err
		}
		lo, hi := events[0].Timestamp, events[0].Timestamp
		for _, e := range events {
			lo, hi = min(lo, e.Timestamp), max(hi, e.Timestamp)
		}
		_, err = s.st.touchStream.in(ctx, tx).ExecContext(ctx, lo, lo, hi, hi, events[len(events)-1].Ingestion, x.ID)
		return s.fault("AppendLogEvents", err)
	})
}

// streamFor finds (or, with create, makes) the stream an append writes to.
func (s *Logs) streamFor(ctx context.Context, tx Tx, account, group, stream string, create bool, now time.Time) (store.LogStream, error) {
	x, err := scanLogStream(s.st.streamByName.in(ctx, tx).QueryRowContext(ctx, account, group, stream))
	if err != sql.ErrNoRows {
		return x, s.fault("AppendLogEvents", err)
	}
	if create {
		if _, err := s.st.ensureGroup.in(ctx, tx).ExecContext(ctx, account, group, nanos(now)); err != nil {
			return store.LogStream{}, s.fault("AppendLogEvents", err)
		}
	}
	g, err := scanLogGroup(s.st.groupTx.in(ctx, tx).QueryRowContext(ctx, account, group))
	if err != nil {
		return store.LogStream{}, s.fault("AppendLogEvents", err)
	}
	if create {
		if _, err := s.st.ensureStream.in(ctx, tx).ExecContext(ctx, g.ID, stream, nanos(now)); err != nil {
			return store.LogStream{}, s.fault("AppendLogEvents", err)
		}
	}
	x, err = scanLogStream(s.st.streamTx.in(ctx, tx).QueryRowContext(ctx, g.ID, stream))
	return x, s.fault("AppendLogEvents", err)
}

// insert stores events insertBatch at a time, the rest one by one.
func (s *Logs) insert(ctx context.Context, tx Tx, x store.LogStream, events []store.LogEvent) error {
	args := make([]any, 0, 5*insertBatch)
	for len(events) >= insertBatch {
		args = args[:0]
		for _, e := range events[:insertBatch] {
			args = append(args, x.GroupID, x.ID, e.Timestamp, e.Ingestion, e.Message)
		}
		if _, err := s.st.insertMany.in(ctx, tx).ExecContext(ctx, args...); err != nil {
			return s.fault("AppendLogEvents", err)
		}
		events = events[insertBatch:]
	}
	for _, e := range events {
		if _, err := s.st.insertOne.in(ctx, tx).ExecContext(ctx, x.GroupID, x.ID, e.Timestamp, e.Ingestion, e.Message); err != nil {
			return s.fault("AppendLogEvents", err)
		}
	}
	return nil
}

// LogEvents scans a stream's or a group's events from a cursor.
func (s *Logs) LogEvents(ctx context.Context, q store.LogEventQuery) ([]store.LogEvent, error) {
	end := q.End
	if end == 0 {
		end = math.MaxInt64
	}
	var st *stmt
	var args []any
	switch {
	case q.StreamID != 0 && q.Backward:
		st, args = s.st.eventsStreamBack, []any{q.StreamID, q.From.Timestamp, q.From.ID, q.Start, q.Limit}
	case q.StreamID != 0:
		st, args = s.st.eventsStream, []any{q.StreamID, q.From.Timestamp, q.From.ID, end, q.Limit}
	default:
		st, args = s.st.eventsGroup, []any{q.GroupID, q.From.Timestamp, q.From.ID, end, q.Limit}
	}
	rows, err := st.ps.QueryContext(ctx, args...)
	out, err := collect(rows, err, 0, scanLogEvent)
	return out, s.fault("LogEvents", err)
}

// SweepLogs deletes one slice of expired events and events of deleted groups and streams.
func (s *Logs) SweepLogs(ctx context.Context, now time.Time, limit int) (int, error) {
	var n int
	err := s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		n = 0
		for _, step := range []struct {
			st   *stmt
			args []any
		}{{s.st.sweepRetention, []any{now.UnixMilli(), limit}}, {s.st.sweepGroups, []any{limit}}, {s.st.sweepStreams, []any{limit}}} {
			res, err := step.st.in(ctx, tx).ExecContext(ctx, step.args...)
			if err != nil {
				return s.fault("SweepLogs", err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
		if n > 0 {
			return nil
		}
		for _, st := range []*stmt{s.st.forgetGroups, s.st.forgetStreams} {
			if _, err := st.in(ctx, tx).ExecContext(ctx); err != nil {
				return s.fault("SweepLogs", err)
			}
		}
		return nil
	})
	return n, err
}

// LogStatement returns the SQL of a Logs statement by name, for the backends' plan tests.
func LogStatement(name string) string {
	if s := newLogs(base{}).stmts.find(name); s != nil {
		return s.query
	}
	return ""
}
