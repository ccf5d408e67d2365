//go:build !cgo

package sqlite

import (
	"errors"
	"net/url"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Driver names the SQLite build in use: without cgo, modernc.org/sqlite, SQLite transpiled to
// pure Go (see driver_cgo.go for the build with a C compiler).
const Driver = "modernc.org/sqlite (pure Go)"

const driverName = "sqlite"

// dsn is the data source name of a connection to the database file at abs: WAL, synchronous=FULL
// (a commit is on disk when it returns) but NORMAL for the writer, whose commits the store syncs
// itself (wal.go), a 10 s busy timeout, foreign keys, a 64 MiB page cache,
// temporary tables in memory and no automatic checkpoints; readOnly for the read pool, immediate
// for the writer's transactions. There is no VFS of ours to choose without cgo.
func dsn(abs string, readOnly, immediate bool, _ string) string {
	q := url.Values{}
	sync := "synchronous(FULL)"
	if immediate {
		sync = "synchronous(NORMAL)" // the writer syncs the WAL itself (wal.go)
	}
	pragmas := []string{"journal_mode(WAL)", sync, "busy_timeout(10000)", "foreign_keys(1)",
		"cache_size(-65536)", "temp_store(MEMORY)", "wal_autocheckpoint(0)"}
	if readOnly {
		pragmas = append(pragmas, "query_only(1)")
	}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	if immediate {
		q.Set("_txlock", "immediate")
	}
	return "file:" + abs + "?" + q.Encode()
}

// isUniqueViolation reports whether err is a primary-key or unique constraint failure.
func isUniqueViolation(err error) bool {
	var sq *sqlite.Error
	if !errors.As(err, &sq) {
		return false
	}
	c := sq.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || c == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
