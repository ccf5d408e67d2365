package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"sort"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Tables implements store.Tables: ddb_tables, ddb_items and ddb_index_entries. A write of
// items reads them and writes in one transaction; SQLite's single writer serialises those, and
// on PostgreSQL each touched key is first locked with a transaction-scoped advisory lock (in key
// order, so two transactions cannot deadlock), which also covers keys that have no row yet.
type Tables struct {
	base
	st struct {
		create, update, removeTable, removeItems, removeEntries, put, del, delEntries, putEntry *stmt
		lock, getW, tableID, putToken, dropTokens, putRecord, dropRecords                       *stmt
		get, list, getItem, token, expired, byID, records, lastSeq                              *stmt
		query, queryIndex                                                                       [2]*stmt // ascending, descending
		scan, scanIndex                                                                         [2]*stmt // first page, after a position
	}
	vst versionStmts
}

// tableNoUpper stands for "no upper bound" in a range: it sorts after every key and every index
// ordering (keys are at most 2 KB, orderings at most twice their three parts).
var tableNoUpper = bytes.Repeat([]byte{0xff}, 9000)

const tableColumns = `id, account_id, name, rev, doc, created_at`

func newTables(b base) *Tables {
	s := &Tables{base: b.of("tables")}
	w, r := s.stmts.w, s.stmts.r
	s.st.create = w("create", `INSERT INTO ddb_tables (account_id, name, rev, doc, created_at) VALUES (?, ?, 1, ?, ?) RETURNING id`)
	s.st.update = w("update", `UPDATE ddb_tables SET rev = rev + 1, doc = ? WHERE account_id = ? AND name = ? AND rev = ?`)
	s.st.tableID = w("tableID", `SELECT id FROM ddb_tables WHERE account_id = ? AND name = ?`)
	s.st.removeTable = w("removeTable", `DELETE FROM ddb_tables WHERE id = ?`)
	s.st.removeItems = w("removeItems", `DELETE FROM ddb_items WHERE table_id = ?`)
	s.st.removeEntries = w("removeEntries", `DELETE FROM ddb_index_entries WHERE table_id = ?`)
	s.st.put = w("put", `INSERT INTO ddb_items (table_id, pk, sk, doc, expires) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (table_id, pk, sk) DO UPDATE SET doc = excluded.doc, expires = excluded.expires`)
	s.st.del = w("del", `DELETE FROM ddb_items WHERE table_id = ? AND pk = ? AND sk = ?`)
	s.st.delEntries = w("delEntries", `DELETE FROM ddb_index_entries WHERE table_id = ? AND pk = ? AND sk = ?`)
	s.st.putEntry = w("putEntry", `INSERT INTO ddb_index_entries (table_id, index_name, ipk, ord, pk, sk) VALUES (?, ?, ?, ?, ?, ?)`)
	s.st.getW = w("getW", `SELECT pk, sk, doc, expires FROM ddb_items WHERE table_id = ? AND pk = ? AND sk = ?`)
	s.st.lock = w("lock", `SELECT pg_advisory_xact_lock(?)`)
	s.st.lock.only = postgresOnly
	s.st.putToken = w("putToken", `INSERT INTO ddb_tokens (account_id, token, hash, created_at) VALUES (?, ?, ?, ?)`)
	s.st.dropTokens = w("dropTokens", `DELETE FROM ddb_tokens WHERE created_at < ?`)
	s.st.putRecord = w("putRecord", `INSERT INTO ddb_stream_records (table_id, label, doc, created_at) VALUES (?, ?, ?, ?)`)
	s.st.dropRecords = w("dropRecords", `DELETE FROM ddb_stream_records WHERE created_at < ?`)
	s.st.byID = r("byID", `SELECT `+tableColumns+` FROM ddb_tables WHERE id = ?`)
	s.st.records = r("records", `SELECT seq, table_id, label, doc, created_at FROM ddb_stream_records
		WHERE table_id = ? AND label = ? AND seq > ? ORDER BY seq LIMIT ?`)
	s.st.lastSeq = r("lastSeq", `SELECT COALESCE(MAX(seq), 0) FROM ddb_stream_records`)

	s.st.get = r("get", `SELECT `+tableColumns+` FROM ddb_tables WHERE account_id = ? AND name = ?`)
	s.st.list = r("list", `SELECT `+tableColumns+` FROM ddb_tables WHERE account_id = ?`)
	s.st.getItem = r("getItem", `SELECT pk, sk, doc, expires FROM ddb_items WHERE table_id = ? AND pk = ? AND sk = ?`)
	s.st.token = r("token", `SELECT account_id, token, hash, created_at FROM ddb_tokens WHERE account_id = ? AND token = ?`)
	s.st.expired = r("expired", `SELECT table_id, pk, sk FROM ddb_items WHERE expires > 0 AND expires <= ? ORDER BY expires LIMIT ?`)
	const q = `SELECT pk, sk, doc, expires FROM ddb_items WHERE table_id = ? AND pk = ? AND sk >= ? AND sk < ? ORDER BY sk`
	s.st.query[0] = r("query", q+` LIMIT ?`)
	s.st.query[1] = r("queryDesc", q+` DESC LIMIT ?`)
	const qi = `SELECT i.pk, i.sk, i.doc, i.expires FROM ddb_index_entries x
		JOIN ddb_items i ON i.table_id = x.table_id AND i.pk = x.pk AND i.sk = x.sk
		WHERE x.table_id = ? AND x.index_name = ? AND x.ipk = ? AND x.ord >= ? AND x.ord < ? ORDER BY x.ord`
	s.st.queryIndex[0] = r("queryIndex", qi+` LIMIT ?`)
	s.st.queryIndex[1] = r("queryIndexDesc", qi+` DESC LIMIT ?`)
	const sc = `SELECT pk, sk, doc, expires FROM ddb_items WHERE table_id = ?`
	s.st.scan[0] = r("scan", sc+` ORDER BY pk, sk LIMIT ?`)
	s.st.scan[1] = r("scanAfter", sc+` AND (pk, sk) > (?, ?) ORDER BY pk, sk LIMIT ?`)
	const si = `SELECT i.pk, i.sk, i.doc, i.expires FROM ddb_index_entries x
		JOIN ddb_items i ON i.table_id = x.table_id AND i.pk = x.pk AND i.sk = x.sk
		WHERE x.table_id = ? AND x.index_name = ?`
	s.st.scanIndex[0] = r("scanIndex", si+` ORDER BY x.ipk, x.ord LIMIT ?`)
	s.st.scanIndex[1] = r("scanIndexAfter", si+` AND (x.ipk, x.ord) > (?, ?) ORDER BY x.ipk, x.ord LIMIT ?`)
	s.prepareVersions()
	return s
}

var _ store.Tables = (*Tables)(nil)

func scanTable(row scanner) (store.Table, error) {
	var t store.Table
	var created int64
	err := row.Scan(&t.ID, &t.Account, &t.Name, &t.Rev, &t.Doc, &created)
	t.Created = fromNanos(created)
	return t, err
}

func scanTableItem(row scanner) (store.TableItem, error) {
	var it store.TableItem
	err := row.Scan(&it.PK, &it.SK, &it.Doc, &it.Expires)
	return it, err
}

// CreateTable stores a new table at rev 1.
func (s *Tables) CreateTable(ctx context.Context, t *store.Table) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		err := s.st.create.in(ctx, tx).QueryRowContext(ctx, t.Account, t.Name, t.Doc, nanos(t.Created)).Scan(&t.ID)
		t.Rev = 1
		return s.fault("CreateTable", err)
	})
}

// Table reads a table.
func (s *Tables) Table(ctx context.Context, account, name string) (store.Table, error) {
	t, err := scanTable(s.st.get.ps.QueryRowContext(ctx, account, name))
	return t, s.fault("Table", err)
}

// ListTables lists an account's tables by name (sorted here, in byte order, whatever the
// database's collation).
func (s *Tables) ListTables(ctx context.Context, account, after string, limit int) ([]store.Table, error) {
	rows, err := s.st.list.ps.QueryContext(ctx, account)
	all, err := collect(rows, err, 0, scanTable)
	if err != nil {
		return nil, s.fault("ListTables", err)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	i := sort.Search(len(all), func(i int) bool { return all[i].Name > after })
	all = all[i:]
	if limit > 0 && len(all) > limit {
		all = all[:limit]
	}
	return all, nil
}

// UpdateTable replaces a table's doc if it is still at t.Rev.
func (s *Tables) UpdateTable(ctx context.Context, t store.Table) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		res, err := s.st.update.in(ctx, tx).ExecContext(ctx, t.Doc, t.Account, t.Name, t.Rev)
		if err != nil {
			return s.fault("UpdateTable", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: s.domain + ".UpdateTable", Kind: store.ErrConditionFailed}
		}
		return nil
	})
}

// DeleteTable removes a table, its items and their index entries.
func (s *Tables) DeleteTable(ctx context.Context, account, name string) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		var id int64
		if err := s.st.tableID.in(ctx, tx).QueryRowContext(ctx, account, name).Scan(&id); err != nil {
			return s.fault("DeleteTable", err)
		}
		for _, st := range []*stmt{s.st.removeEntries, s.st.removeItems, s.st.removeTable} {
			if _, err := st.in(ctx, tx).ExecContext(ctx, id); err != nil {
				return s.fault("DeleteTable", err)
			}
		}
		return nil
	})
}

// GetItem reads one item.
func (s *Tables) GetItem(ctx context.Context, k store.ItemKey) (store.TableItem, error) {
	it, err := scanTableItem(s.st.getItem.ps.QueryRowContext(ctx, k.Table, k.PK, k.SK))
	return it, s.fault("GetItem", err)
}

func upper(hi []byte) []byte {
	if hi == nil {
		return tableNoUpper
	}
	return hi
}

// QueryItems reads a range of one partition of a table or an index.
func (s *Tables) QueryItems(ctx context.Context, r store.ItemRange) ([]store.TableItem, error) {
	dir := 0
	if r.Desc {
		dir = 1
	}
	lo := r.Lo
	if lo == nil {
		lo = []byte{}
	}
	var rows *sql.Rows
	var err error
	if r.Index == "" {
		rows, err = s.st.query[dir].ps.QueryContext(ctx, r.Table, r.PK, lo, upper(r.Hi), r.Limit)
	} else {
		rows, err = s.st.queryIndex[dir].ps.QueryContext(ctx, r.Table, r.Index, r.PK, lo, upper(r.Hi), r.Limit)
	}
	items, err := collect(rows, err, 0, scanTableItem)
	return items, s.fault("QueryItems", err)
}

// ScanItems reads a table's or an index's items in key order.
func (s *Tables) ScanItems(ctx context.Context, table int64, index string, afterPK, afterOrd []byte, limit int) ([]store.TableItem, error) {
	var rows *sql.Rows
	var err error
	if afterOrd == nil {
		afterOrd = []byte{}
	}
	switch {
	case index == "" && afterPK == nil:
		rows, err = s.st.scan[0].ps.QueryContext(ctx, table, limit)
	case index == "":
		rows, err = s.st.scan[1].ps.QueryContext(ctx, table, afterPK, afterOrd, limit)
	case afterPK == nil:
		rows, err = s.st.scanIndex[0].ps.QueryContext(ctx, table, index, limit)
	default:
		rows, err = s.st.scanIndex[1].ps.QueryContext(ctx, table, index, afterPK, afterOrd, limit)
	}
	items, err := collect(rows, err, 0, scanTableItem)
	return items, s.fault("ScanItems", err)
}

// lockKey is a key's advisory lock number on PostgreSQL.
func lockKey(k store.ItemKey) int64 {
	h := fnv.New64a()
	var id [8]byte
	for i := range id {
		id[i] = byte(k.Table >> (8 * i))
	}
	h.Write(id[:])
	h.Write(k.PK)
	h.Write([]byte{0})
	h.Write(k.SK)
	return int64(h.Sum64())
}

// WriteItems reads keys' items, asks decide for the writes and makes them, in one transaction.
func (s *Tables) WriteItems(ctx context.Context, keys []store.ItemKey, token *store.TableToken, decide func(old []*store.TableItem) ([]store.ItemWrite, error)) error {
	return s.w.Write(ctx, func(ctx context.Context, tx Tx) error {
		if s.d.Postgres {
			locks := make([]int64, len(keys))
			for i, k := range keys {
				locks[i] = lockKey(k)
			}
			sort.Slice(locks, func(i, j int) bool { return locks[i] < locks[j] })
			for i, l := range locks {
				if i > 0 && locks[i-1] == l {
					continue
				}
				if _, err := s.st.lock.in(ctx, tx).ExecContext(ctx, l); err != nil {
					return s.fault("WriteItems", err)
				}
			}
		}
		old := make([]*store.TableItem, len(keys))
		for i, k := range keys {
			it, err := scanTableItem(s.st.getW.in(ctx, tx).QueryRowContext(ctx, k.Table, k.PK, k.SK))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return s.fault("WriteItems", err)
			}
			old[i] = &it
		}
		writes, err := decide(old)
		if err != nil {
			return err
		}
		for _, w := range writes {
			if err := s.write(ctx, tx, w); err != nil {
				return err
			}
		}
		if token != nil {
			_, err := s.st.putToken.in(ctx, tx).ExecContext(ctx, token.Account, token.Token, token.Hash, nanos(token.Created))
			return s.fault("WriteItems", err)
		}
		return nil
	})
}

func (s *Tables) write(ctx context.Context, tx Tx, w store.ItemWrite) error {
	k := w.Key
	if _, err := s.st.delEntries.in(ctx, tx).ExecContext(ctx, k.Table, k.PK, k.SK); err != nil {
		return s.fault("WriteItems", err)
	}
	if w.Doc == nil {
		if _, err := s.st.del.in(ctx, tx).ExecContext(ctx, k.Table, k.PK, k.SK); err != nil {
			return s.fault("WriteItems", err)
		}
		if err := s.version(ctx, tx, w); err != nil {
			return err
		}
		return s.record(ctx, tx, w.Stream)
	}
	if err := s.version(ctx, tx, w); err != nil {
		return err
	}
	if _, err := s.st.put.in(ctx, tx).ExecContext(ctx, k.Table, k.PK, k.SK, w.Doc, w.Expires); err != nil {
		return s.fault("WriteItems", err)
	}
	for _, e := range w.Indexes {
		if _, err := s.st.putEntry.in(ctx, tx).ExecContext(ctx, k.Table, e.Index, e.PK, e.Ord, k.PK, k.SK); err != nil {
			return s.fault("WriteItems", err)
		}
	}
	return s.record(ctx, tx, w.Stream)
}

func (s *Tables) record(ctx context.Context, tx Tx, r *store.StreamRecord) error {
	if r == nil {
		return nil
	}
	_, err := s.st.putRecord.in(ctx, tx).ExecContext(ctx, r.Table, r.Label, r.Doc, nanos(r.Created))
	return s.fault("WriteItems", err)
}

// TableByID reads a table by id.
func (s *Tables) TableByID(ctx context.Context, id int64) (store.Table, error) {
	t, err := scanTable(s.st.byID.ps.QueryRowContext(ctx, id))
	return t, s.fault("TableByID", err)
}

// StreamRecords lists a stream's records after seq.
func (s *Tables) StreamRecords(ctx context.Context, table int64, label string, after int64, limit int) ([]store.StreamRecord, error) {
	rows, err := s.st.records.ps.QueryContext(ctx, table, label, after, limit)
	recs, err := collect(rows, err, 0, func(row scanner) (store.StreamRecord, error) {
		var r store.StreamRecord
		var created int64
		err := row.Scan(&r.Seq, &r.Table, &r.Label, &r.Doc, &created)
		r.Created = fromNanos(created)
		return r, err
	})
	return recs, s.fault("StreamRecords", err)
}

// LastStreamSeq is the highest stored sequence number.
func (s *Tables) LastStreamSeq(ctx context.Context) (int64, error) {
	var n int64
	err := s.st.lastSeq.ps.QueryRowContext(ctx).Scan(&n)
	return n, s.fault("LastStreamSeq", err)
}

// DropStreamRecords forgets old records.
func (s *Tables) DropStreamRecords(ctx context.Context, before time.Time) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.dropRecords.in(ctx, tx).ExecContext(ctx, nanos(before))
		return s.fault("DropStreamRecords", err)
	})
}

// TableToken reads a transaction token.
func (s *Tables) TableToken(ctx context.Context, account, token string) (store.TableToken, error) {
	var t store.TableToken
	var created int64
	err := s.st.token.ps.QueryRowContext(ctx, account, token).Scan(&t.Account, &t.Token, &t.Hash, &created)
	t.Created = fromNanos(created)
	return t, s.fault("TableToken", err)
}

// DropTableTokens forgets old tokens.
func (s *Tables) DropTableTokens(ctx context.Context, before time.Time) error {
	return s.w.WriteOne(ctx, func(ctx context.Context, tx Tx) error {
		_, err := s.st.dropTokens.in(ctx, tx).ExecContext(ctx, nanos(before))
		return s.fault("DropTableTokens", err)
	})
}

// ExpiredItems lists items whose TTL has passed.
func (s *Tables) ExpiredItems(ctx context.Context, now int64, limit int) ([]store.ItemKey, error) {
	rows, err := s.st.expired.ps.QueryContext(ctx, now, limit)
	keys, err := collect(rows, err, 0, func(row scanner) (store.ItemKey, error) {
		var k store.ItemKey
		err := row.Scan(&k.Table, &k.PK, &k.SK)
		return k, err
	})
	return keys, s.fault("ExpiredItems", err)
}
