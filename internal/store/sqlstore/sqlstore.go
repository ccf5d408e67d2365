// Package sqlstore implements gureum's domain stores (store.Accounts, store.Queues) once, in SQL
// that both backends run through database/sql: SQLite through its group-committing writer,
// PostgreSQL through pgx's stdlib adapter. The dialect supplies placeholder style, row locking,
// notifications and error mapping. Every statement is prepared once when the store is built.
package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// Tx is a write transaction as the shared SQL sees it: it binds the store's prepared write
// statements to itself. A *sql.Tx is one; SQLite's writer, which owns its connection and prepares
// the statements on it, runs them as they are.
type Tx interface {
	StmtContext(ctx context.Context, st *sql.Stmt) *sql.Stmt
}

// Writer runs fn in a transaction and returns once it has committed durably. fn runs its
// statements with the ctx it is given, not the caller's: SQLite's writer gives the caller's values
// without its cancellation, because a statement interrupted inside a group commit would roll back
// every write in the group (a caller that is gone before its write starts is skipped instead).
type Writer interface {
	Write(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// WriteOne is Write for a fn that runs exactly one statement, atomic by itself, so a backend
	// may run it without BEGIN and COMMIT (PostgreSQL: one round trip instead of three). fn must
	// never run a second statement: nothing would make the two atomic.
	WriteOne(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
}

// Preparer prepares statements: a *sql.DB (a pool) or a *sql.Conn (one connection).
type Preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Store is every domain store on one backend. Each domain is a type of its own (Accounts,
// Queues, Leases, …) holding its statements as typed fields, declared once and prepared when the
// store is built; Store composes them so that a backend embeds one value.
type Store struct {
	*Accounts
	*Queues
	*MoveTasks
	*Leases
	*Outbox
	*Notifier
	*Identity
	*Functions
	*Objects
	*Logs
	*Secrets
	*Topics
	*EventBuses
	*Schedules
	*EventArchives
	*APIGateway
	*FileSystems
	*Tables
	*Stacks
	*Costs
	*Metrics
}

// New builds every domain store over a durable writer and a read pool. Write statements are
// prepared on writeDB, which must be where the writer runs its transactions (its pool or its one
// connection) and must not be busy in a transaction during New.
func New(ctx context.Context, w Writer, writeDB Preparer, readDB *sql.DB, d Dialect) (*Store, error) {
	b := base{w: w, d: d, writeDB: writeDB, readDB: readDB}
	s := &Store{Accounts: newAccounts(b), Queues: newQueues(b), Leases: newLeases(b), Notifier: newNotifier(b), Logs: newLogs(b),
		Secrets:    newSecrets(b),
		APIGateway: newAPIGateway(b)}
	s.FileSystems = newFileSystems(b)
	s.MoveTasks = newMoveTasks(b, s.Leases)
	s.Identity = newIdentity(b)
	s.Functions = newFunctions(b)
	s.Outbox = newOutbox(b, s.Notifier)
	s.Objects = newObjects(b, s.Outbox)
	s.Topics = newTopics(b, s.Outbox)
	s.EventBuses, s.Schedules = newEventBuses(b, s.Outbox), newSchedules(b, s.Outbox)
	s.EventArchives = newEventArchives(b)
	s.Tables = newTables(b)
	s.Stacks = newStacks(b, s.Leases)
	s.Costs = newCosts(b)
	s.Metrics = newMetrics(b, s.Outbox)
	for _, dom := range s.domains() {
		if err := dom.prepare(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// domains lists every domain's shared part, to prepare and close their statements.
func (s *Store) domains() []*base {
	return []*base{&s.Accounts.base, &s.Queues.base, &s.MoveTasks.base, &s.Leases.base, &s.Outbox.base, &s.Notifier.base,
		&s.Identity.base, &s.Functions.base, &s.Objects.base, &s.Logs.base, &s.Secrets.base, &s.Topics.base,
		&s.EventBuses.base, &s.Schedules.base, &s.EventArchives.base, &s.APIGateway.base,
		&s.FileSystems.base, &s.Tables.base, &s.Stacks.base, &s.Costs.base, &s.Metrics.base}
}

// Close releases the prepared statements.
func (s *Store) Close() error {
	var errs []error
	for _, dom := range s.domains() {
		errs = append(errs, dom.close())
	}
	return errors.Join(errs...)
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

// scanner is what a scan function reads: a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// collect reads every row of a query with scan; err is the query's own error. hint, when known,
// is how many rows to expect at most (a receive's batch), so the slice is allocated once.
func collect[T any](rows *sql.Rows, err error, hint int, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	if hint > 0 {
		out = make([]T, 0, hint)
	}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	// Close reads the statement to its end: outside a transaction (Writer.WriteOne) that end is
	// its commit, so its error counts.
	return out, errors.Join(rows.Err(), rows.Close())
}

func scanQueue(row scanner) (store.Queue, error) {
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
