// Package postgres is gureum's distributed store on PostgreSQL through jackc/pgx. Several gureum
// nodes may share one database: migrations take an advisory lock, and every write is one
// transaction that PostgreSQL makes durable (synchronous_commit) before it returns; PostgreSQL's
// own WAL flushing groups concurrent commits.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/schema"
	"github.com/gureum/gureum/internal/store/sqlstore"
)

// Options tune the store.
type Options struct {
	// Schema, when set, is created if missing and used as the search path (tests use one each).
	Schema string
	// MaxConns caps the pool; 0 keeps pgx's default.
	MaxConns int32
	// OnCommit, when set, is told about every write transaction.
	OnCommit store.CommitObserver
}

// DB is the PostgreSQL store. It implements store.Store.
type DB struct {
	*sqlstore.Store // store.Accounts and store.Queues, in SQL shared with SQLite

	pool *pgxpool.Pool
	sql  *sql.DB // the same pool through database/sql, for the shared SQL stores
	opt  Options
}

// migrationLock is the advisory lock id that serialises migrations across nodes ("gureum").
const migrationLock = 0x67757265756d

// Open connects to dsn (a postgres:// URL or key=value string) and migrates the schema.
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: bad connection string: %w", err)
	}
	if opt.MaxConns > 0 {
		cfg.MaxConns = opt.MaxConns
	} else if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	if cfg.MaxConns < directConns+1 {
		cfg.MaxConns = directConns + 1
	}
	if opt.Schema != "" {
		if err := createSchema(ctx, cfg.ConnConfig.Copy(), opt.Schema); err != nil {
			return nil, err
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = opt.Schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fault("postgres.Open", err)
	}
	db := &DB{pool: pool, opt: opt, sql: stdlib.OpenDBFromPool(pool)}
	// A database/sql connection holds a pool connection while it is open. OpenDBFromPool keeps
	// none idle, so every transaction took a pool connection anew and prepared its statements
	// on it again (a round trip each). Instead database/sql keeps its connections, all but
	// directConns of the pool's, which stay for the LISTEN connection and direct pool users.
	db.sql.SetMaxOpenConns(int(cfg.MaxConns) - directConns)
	db.sql.SetMaxIdleConns(int(cfg.MaxConns) - directConns)
	if err := db.migrate(ctx); err != nil {
		db.sql.Close()
		pool.Close()
		return nil, err
	}
	if db.Store, err = sqlstore.New(ctx, sqlWriter{db}, db.sql, db.sql, sqlstore.Dialect{Postgres: true, Fault: fault, Listen: db.listen}); err != nil {
		db.sql.Close()
		pool.Close()
		return nil, fault("postgres.Open", err)
	}
	return db, nil
}

const (
	// defaultMaxConns is the pool size when neither Options nor the DSN (pool_max_conns) sets it.
	defaultMaxConns = 20
	// directConns are the pool connections left outside database/sql: the LISTEN connection of
	// long polls, health checks and schema work.
	directConns = 4
)

func createSchema(ctx context.Context, cfg *pgx.ConnConfig, name string) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fault("postgres.Open", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{name}.Sanitize())
	return fault("postgres.Open", err)
}

// DropSchema removes a schema and everything in it (tests clean up with it).
func (db *DB) DropSchema(ctx context.Context, name string) error {
	_, err := db.pool.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{name}.Sanitize()+" CASCADE")
	return fault("postgres.DropSchema", err)
}

// Backend names the backend.
func (db *DB) Backend() string { return "postgres" }

// Driver names the database driver.
func (db *DB) Driver() string { return "jackc/pgx" }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return fault("postgres.Ping", db.pool.Ping(ctx)) }

// Close closes the pool.
func (db *DB) Close() error {
	err := errors.Join(db.Store.Close(), db.sql.Close())
	db.pool.Close()
	return err
}

// sqlWriter runs database/sql transactions on the pool: the shared SQL stores and migrations
// write through it.
type sqlWriter struct{ db *DB }

// Write runs fn in one transaction and returns once it has committed durably.
func (w sqlWriter) Write(ctx context.Context, fn func(ctx context.Context, tx sqlstore.Tx) error) error {
	return w.write(ctx, func(tx *sql.Tx) error { return fn(ctx, tx) })
}

// WriteOne runs fn's one statement on its own, without BEGIN and COMMIT: PostgreSQL commits it
// (durably: synchronous_commit stays on) when it completes, in one round trip.
func (w sqlWriter) WriteOne(ctx context.Context, fn func(ctx context.Context, tx sqlstore.Tx) error) error {
	start := time.Now()
	if err := store.Guard(func() error { return fn(ctx, autocommit{}) }); err != nil {
		return fault("postgres.Write", err)
	}
	if w.db.opt.OnCommit != nil {
		w.db.opt.OnCommit(1, time.Since(start))
	}
	return nil
}

// autocommit runs the store's prepared statements on the pool, each in its own implicit
// transaction.
type autocommit struct{}

func (autocommit) StmtContext(_ context.Context, st *sql.Stmt) *sql.Stmt { return st }

func (w sqlWriter) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	start := time.Now()
	tx, err := w.db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fault("postgres.Write", err)
	}
	if err := store.Guard(func() error { return fn(tx) }); err != nil {
		tx.Rollback()
		return fault("postgres.Write", err)
	}
	if err := tx.Commit(); err != nil {
		return fault("postgres.Write", err)
	}
	if w.db.opt.OnCommit != nil {
		w.db.opt.OnCommit(1, time.Since(start))
	}
	return nil
}

func (db *DB) migrate(ctx context.Context) error {
	migrations, err := schema.Migrations()
	if err != nil {
		return err
	}
	return sqlWriter{db}.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return fault("postgres.migrate", err)
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return fault("postgres.migrate", err)
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fault("postgres.migrate", err)
		}
		for _, m := range migrations {
			if m.Version <= current {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.Render(schema.Postgres)); err != nil {
				return fault(fmt.Sprintf("postgres.migrate %04d_%s", m.Version, m.Name), err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, m.Version, m.Name, time.Now().Unix()); err != nil {
				return fault("postgres.migrate", err)
			}
		}
		return nil
	})
}

// fault maps a driver error to a storage kind (store.Fault).
func fault(op string, err error) error {
	return store.Fault(op, err, store.Driver{
		Exists:   func(err error) bool { return pgCode(err) == "23505" }, // unique_violation
		NotFound: func(err error) bool { return errors.Is(err, pgx.ErrNoRows) },
		Conflict: func(err error) bool { c := pgCode(err); return c == "40001" || c == "40P01" }, // serialization_failure, deadlock_detected
	})
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// listen holds one pool connection, LISTENs on channels and calls deliver with each
// notification until ctx ends or the connection fails (sqlstore.Notifier.Listen reconnects).
func (db *DB) listen(ctx context.Context, channels []string, ready func(), deliver func(channel, payload string)) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	defer conn.Exec(context.Background(), "UNLISTEN *")
	ready()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		deliver(n.Channel, n.Payload)
	}
}
