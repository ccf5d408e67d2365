// Package queuesql implements store.Queues once, in SQL that both backends run through
// database/sql: SQLite through its group-committing writer, PostgreSQL through pgx's stdlib
// adapter. The dialect supplies placeholder style, row locking and error mapping.
package queuesql

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Writer runs fn in a transaction and returns once it has committed durably.
type Writer interface {
	Write(ctx context.Context, fn func(tx *sql.Tx) error) error
}

// Dialect is what differs between the backends.
type Dialect struct {
	Postgres bool                             // $n placeholders and FOR UPDATE SKIP LOCKED
	Fault    func(op string, err error) error // maps driver errors to store kinds
}

// Store implements store.Queues.
type Store struct {
	w      Writer
	d      Dialect
	ws, rs map[string]*sql.Stmt // prepared write and read statements
}

// New returns the queue store over a durable writer and a read pool. Write statements are
// prepared on writeDB, which must be the connection the writer runs its transactions on and must
// not be busy in a transaction during New.
func New(ctx context.Context, w Writer, writeDB, readDB *sql.DB, d Dialect) (*Store, error) {
	s := &Store{w: w, d: d}
	var err error
	if s.ws, err = s.prepareAll(ctx, writeDB, batched(writeSQL)); err != nil {
		return nil, err
	}
	if s.rs, err = s.prepareAll(ctx, readDB, readSQL); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

var _ store.Queues = (*Store)(nil)

// q rewrites ? placeholders for PostgreSQL.
func (s *Store) q(query string) string {
	if !s.d.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (s *Store) fault(op string, err error) error {
	if err == nil {
		return nil
	}
	return s.d.Fault("queues."+op, err)
}

func nanos(t time.Time) int64     { return store.UnixNanos(t) }
func fromNanos(n int64) time.Time { return store.FromUnixNanos(n) }
func encodeMap(m map[string]string) string {
	if m == nil {
		m = map[string]string{}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func decodeMap(s string) map[string]string {
	m := map[string]string{}
	json.Unmarshal([]byte(s), &m)
	return m
}

func scanQueue(row interface{ Scan(...any) error }) (store.Queue, error) {
	var q store.Queue
	var fifo int
	var attrs, tags string
	var created, modified, purged int64
	if err := row.Scan(&q.ID, &q.Account, &q.Name, &fifo, &attrs, &tags, &q.DeadLetterTarget, &created, &modified, &purged); err != nil {
		return store.Queue{}, err
	}
	q.FIFO = fifo == 1
	q.Attributes, q.Tags = decodeMap(attrs), decodeMap(tags)
	q.Created, q.Modified, q.PurgedAt = fromNanos(created), fromNanos(modified), fromNanos(purged)
	return q, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateQueue stores a new queue and sets its ID.
func (s *Store) CreateQueue(ctx context.Context, q *store.Queue) error {
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		err := s.wst(ctx, tx, "createQueue").QueryRowContext(ctx,
			q.Account, q.Name, boolInt(q.FIFO), encodeMap(q.Attributes), encodeMap(q.Tags), q.DeadLetterTarget, nanos(q.Created), nanos(q.Modified)).Scan(&q.ID)
		return s.fault("CreateQueue", err)
	})
}

// Queue reads a queue by account and name.
func (s *Store) Queue(ctx context.Context, account, name string) (store.Queue, error) {
	q, err := scanQueue(s.rs["queue"].QueryRowContext(ctx, account, name))
	return q, s.fault("Queue", err)
}

// QueueByID reads a queue by id.
func (s *Store) QueueByID(ctx context.Context, id int64) (store.Queue, error) {
	q, err := scanQueue(s.rs["queueByID"].QueryRowContext(ctx, id))
	return q, s.fault("QueueByID", err)
}

func (s *Store) listQueues(ctx context.Context, op, stmt string, args ...any) ([]store.Queue, error) {
	rows, err := s.rs[stmt].QueryContext(ctx, args...)
	if err != nil {
		return nil, s.fault(op, err)
	}
	defer rows.Close()
	var out []store.Queue
	for rows.Next() {
		q, err := scanQueue(rows)
		if err != nil {
			return nil, s.fault(op, err)
		}
		out = append(out, q)
	}
	return out, s.fault(op, rows.Err())
}

// ListQueues lists an account's queues whose names start with prefix, by name.
func (s *Store) ListQueues(ctx context.Context, account, prefix string) ([]store.Queue, error) {
	all, err := s.listQueues(ctx, "ListQueues", "listQueues", account)
	if prefix == "" || err != nil {
		return all, err
	}
	out := all[:0]
	for _, q := range all {
		if strings.HasPrefix(q.Name, prefix) {
			out = append(out, q)
		}
	}
	return out, nil
}

// DeadLetterSources lists the account's queues whose redrive policy targets arn.
func (s *Store) DeadLetterSources(ctx context.Context, account, arn string) ([]store.Queue, error) {
	return s.listQueues(ctx, "DeadLetterSources", "dlqSources", account, arn)
}

// UpdateQueue rewrites a queue's attributes, tags, modified and purged times.
func (s *Store) UpdateQueue(ctx context.Context, q store.Queue) error {
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		res, err := s.wst(ctx, tx, "updateQueue").ExecContext(ctx, encodeMap(q.Attributes), encodeMap(q.Tags), q.DeadLetterTarget, nanos(q.Modified), nanos(q.PurgedAt), q.ID)
		if err != nil {
			return s.fault("UpdateQueue", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return &store.Error{Op: "queues.UpdateQueue", Kind: store.ErrNotFound}
		}
		return nil
	})
}

// DeleteQueue removes a queue with its messages and deduplication state and records the deletion.
func (s *Store) DeleteQueue(ctx context.Context, id int64, now time.Time) error {
	return s.w.Write(ctx, func(tx *sql.Tx) error {
		var account, name string
		if err := s.wst(ctx, tx, "queueName").QueryRowContext(ctx, id).Scan(&account, &name); err != nil {
			return s.fault("DeleteQueue", err)
		}
		for _, stmt := range []string{"deleteMessages", "deleteDedup", "deleteQueue"} {
			if _, err := s.wst(ctx, tx, stmt).ExecContext(ctx, id); err != nil {
				return s.fault("DeleteQueue", err)
			}
		}
		_, err := s.wst(ctx, tx, "recordDeleted").ExecContext(ctx, account, name, nanos(now))
		return s.fault("DeleteQueue", err)
	})
}

// DeletedSince reports whether account/name was deleted at or after since.
func (s *Store) DeletedSince(ctx context.Context, account, name string, since time.Time) (bool, error) {
	var at int64
	err := s.rs["deletedSince"].QueryRowContext(ctx, account, name).Scan(&at)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, s.fault("DeletedSince", err)
	}
	return at >= nanos(since), nil
}
