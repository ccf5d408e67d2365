package sqlstore

import (
	"context"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// versionStmts are the statements of store.TableVersions (ddb_item_versions).
type versionStmts struct {
	put, snapshot, compact, compactDeleted, drop  *stmt
	itemsAt, changes, count, countIndexes, tables *stmt
}

var _ store.TableVersions = (*Tables)(nil)

func (s *Tables) prepareVersions() {
	w, r := s.stmts.w, s.stmts.r
	v := &s.vst
	v.put = w("versionPut", `INSERT INTO ddb_item_versions (table_id, pk, sk, doc, made_at) VALUES (?, ?, ?, ?, ?)`)
	v.snapshot = w("versionSnapshot", `INSERT INTO ddb_item_versions (table_id, pk, sk, doc, made_at)
		SELECT table_id, pk, sk, doc, ? FROM ddb_items WHERE table_id = ?`)
	// A version made before the window's start that a later one, also made by then, supersedes
	// is never read again; then a deletion that is the oldest version left says nothing.
	v.compact = w("versionCompact", `DELETE FROM ddb_item_versions WHERE table_id = ? AND made_at < ? AND seq <
		(SELECT MAX(w.seq) FROM ddb_item_versions w WHERE w.table_id = ddb_item_versions.table_id
		AND w.pk = ddb_item_versions.pk AND w.sk = ddb_item_versions.sk AND w.made_at <= ?)`)
	v.compactDeleted = w("versionCompactDeleted", `DELETE FROM ddb_item_versions WHERE table_id = ? AND doc IS NULL AND made_at < ?`)
	v.drop = w("versionDrop", `DELETE FROM ddb_item_versions WHERE table_id = ?`)
	v.itemsAt = r("versionItemsAt", `SELECT v.pk, v.sk, v.doc, 0 FROM ddb_item_versions v
		WHERE v.table_id = ? AND (v.pk, v.sk) > (?, ?) AND v.doc IS NOT NULL AND v.seq =
		(SELECT MAX(w.seq) FROM ddb_item_versions w WHERE w.table_id = v.table_id AND w.pk = v.pk AND w.sk = v.sk AND w.made_at <= ?)
		ORDER BY v.pk, v.sk LIMIT ?`)
	// The last version of each key made in [from, to), with the last one made before from.
	v.changes = r("versionChanges", `SELECT n.pk, n.sk, n.doc, n.made_at,
		(SELECT o.doc FROM ddb_item_versions o WHERE o.table_id = n.table_id AND o.pk = n.pk AND o.sk = n.sk AND o.made_at < ?
		ORDER BY o.seq DESC LIMIT 1)
		FROM ddb_item_versions n
		WHERE n.table_id = ? AND (n.pk, n.sk) > (?, ?) AND n.made_at >= ? AND n.made_at < ? AND n.seq =
		(SELECT MAX(w.seq) FROM ddb_item_versions w WHERE w.table_id = n.table_id AND w.pk = n.pk AND w.sk = n.sk AND w.made_at < ?)
		ORDER BY n.pk, n.sk LIMIT ?`)
	v.count = r("tableCount", `SELECT COUNT(*), COALESCE(SUM(LENGTH(doc)), 0) FROM ddb_items WHERE table_id = ?`)
	v.countIndexes = r("tableCountIndexes", `SELECT x.index_name, COUNT(*), COALESCE(SUM(LENGTH(i.doc)), 0) FROM ddb_index_entries x
		JOIN ddb_items i ON i.table_id = x.table_id AND i.pk = x.pk AND i.sk = x.sk
		WHERE x.table_id = ? GROUP BY x.index_name`)
	v.tables = r("versionTables", `SELECT DISTINCT table_id FROM ddb_item_versions`)
}

// version records a write's new state when its table keeps versions.
func (s *Tables) version(ctx context.Context, tx Tx, w store.ItemWrite) error {
	if w.VersionAt.IsZero() {
		return nil
	}
	k := w.Key
	var doc any // NULL: deleted (a nil []byte may bind as an empty blob)
	if w.Doc != nil {
		doc = w.Doc
	}
	_, err := s.vst.put.in(ctx, tx).ExecContext(ctx, k.Table, k.PK, k.SK, doc, nanos(w.VersionAt))
	return s.fault("WriteItems", err)
}

// TableStats counts a table's items and bytes, and its indexes' entries.
func (s *Tables) TableStats(ctx context.Context, table int64) ([]store.TableStat, error) {
	out := []store.TableStat{{}}
	if err := s.vst.count.ps.QueryRowContext(ctx, table).Scan(&out[0].Items, &out[0].Bytes); err != nil {
		return nil, s.fault("TableStats", err)
	}
	rows, err := s.vst.countIndexes.ps.QueryContext(ctx, table)
	idx, err := collect(rows, err, 0, func(row scanner) (store.TableStat, error) {
		var st store.TableStat
		err := row.Scan(&st.Index, &st.Items, &st.Bytes)
		return st, err
	})
	if err != nil {
		return nil, s.fault("TableStats", err)
	}
	return append(out, idx...), nil
}

// SnapshotVersions records every item of a table as a version.
func (s *Tables) SnapshotVersions(ctx context.Context, table int64, at time.Time) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.vst.snapshot.in(ctx, tx).ExecContext(ctx, nanos(at), table)
		return s.fault("SnapshotVersions", err)
	})
}

// ItemsAt lists a table's items as they were at a time.
func (s *Tables) ItemsAt(ctx context.Context, table int64, at time.Time, afterPK, afterSK []byte, limit int) ([]store.TableItem, error) {
	if afterPK == nil {
		afterPK = []byte{}
	}
	if afterSK == nil {
		afterSK = []byte{}
	}
	rows, err := s.vst.itemsAt.ps.QueryContext(ctx, table, afterPK, afterSK, nanos(at), limit)
	items, err := collect(rows, err, 0, scanTableItem)
	return items, s.fault("ItemsAt", err)
}

// ItemChanges lists how a table's items changed from one time to another.
func (s *Tables) ItemChanges(ctx context.Context, table int64, from, to time.Time, afterPK, afterSK []byte, limit int) ([]store.ItemChange, error) {
	if afterPK == nil {
		afterPK = []byte{}
	}
	if afterSK == nil {
		afterSK = []byte{}
	}
	f, u := nanos(from), nanos(to)
	rows, err := s.vst.changes.ps.QueryContext(ctx, f, table, afterPK, afterSK, f, u, u, limit)
	out, err := collect(rows, err, 0, func(row scanner) (store.ItemChange, error) {
		var c store.ItemChange
		var at int64
		err := row.Scan(&c.PK, &c.SK, &c.New, &at, &c.Old)
		c.At = store.FromUnixNanos(at)
		return c, err
	})
	return out, s.fault("ItemChanges", err)
}

// CompactVersions forgets versions no time from before on needs.
func (s *Tables) CompactVersions(ctx context.Context, table int64, before time.Time) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		b := nanos(before)
		if _, err := s.vst.compact.in(ctx, tx).ExecContext(ctx, table, b, b); err != nil {
			return s.fault("CompactVersions", err)
		}
		_, err := s.vst.compactDeleted.in(ctx, tx).ExecContext(ctx, table, b)
		return s.fault("CompactVersions", err)
	})
}

// DropVersions forgets a table's versions.
func (s *Tables) DropVersions(ctx context.Context, table int64) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.vst.drop.in(ctx, tx).ExecContext(ctx, table)
		return s.fault("DropVersions", err)
	})
}

// VersionedTables lists the tables with versions.
func (s *Tables) VersionedTables(ctx context.Context) ([]int64, error) {
	rows, err := s.vst.tables.ps.QueryContext(ctx)
	ids, err := collect(rows, err, 0, func(row scanner) (int64, error) {
		var id int64
		err := row.Scan(&id)
		return id, err
	})
	return ids, s.fault("VersionedTables", err)
}
