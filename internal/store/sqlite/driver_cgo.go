//go:build cgo

package sqlite

import (
	"database/sql"
	"errors"
	"net/url"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// Driver names the SQLite build in use. Where cgo is available (a C compiler is on the PATH, as
// on every machine gureum is built and tested on) the store runs SQLite's own C code through
// mattn/go-sqlite3, and a connection opens without SQLite's per-connection mutex (database/sql
// never shares one between goroutines): the queue store's hot writes (BenchmarkQueueStore on
// /dev/shm) take 11–12 µs a single send and 117–145 µs a send, receive and delete of 10, against
// 15 and 170 µs on modernc's transpiled Go. Without cgo, driver_nocgo.go uses modernc.org/sqlite;
// both pass the same suite.
const Driver = "mattn/go-sqlite3 (C, cgo)"

const driverName = "gureum-sqlite3"

func init() {
	// Pragmas the DSN cannot carry, for every connection (registration only: no other effect).
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec("PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0", nil)
		return err
	}})
}

// dsn is the data source name of a connection to the database file at abs: WAL, synchronous=FULL
// (a commit is on disk when it returns) but NORMAL for the writer, whose commits the store syncs
// itself (wal.go), a 10 s busy timeout, foreign keys, a 64 MiB page cache;
// readOnly for the read pool, immediate for the writer's transactions, through the VFS vfs
// ("" for SQLite's default).
func dsn(abs string, readOnly, immediate bool, vfs string) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	sync := "FULL"
	if immediate {
		sync = "NORMAL" // the writer syncs the WAL itself (wal.go)
	}
	q.Set("_synchronous", sync)
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "1")
	q.Set("_cache_size", "-65536")
	q.Set("_mutex", "no")
	if readOnly {
		q.Set("_query_only", "1")
	}
	if immediate {
		q.Set("_txlock", "immediate")
	}
	if vfs != "" {
		q.Set("vfs", vfs) // the writer's WAL writes, one a commit (walvfs_cgo.go)
	}
	return "file:" + abs + "?" + q.Encode()
}

// isUniqueViolation reports whether err is a primary-key or unique constraint failure.
func isUniqueViolation(err error) bool {
	var sq sqlite3.Error
	if !errors.As(err, &sq) {
		return false
	}
	return sq.ExtendedCode == sqlite3.ErrConstraintPrimaryKey || sq.ExtendedCode == sqlite3.ErrConstraintUnique
}
