//go:build cgo

package sqlite

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"testing"
)

// TestWALVFS checks the writer's VFS (walvfs_cgo.go): transactions of every size, from one frame
// to many times the buffer, commit and read back intact from another connection (on the
// default VFS) at once and after reopening, and a commit of several frames reaches the file in
// one write.
func TestWALVFS(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal.db")
	open := func() (w, r *sql.DB) {
		var err error
		if w, err = sql.Open(driverName, dsn(path, false, true)); err != nil {
			t.Fatal(err)
		}
		w.SetMaxOpenConns(1)
		if r, err = sql.Open(driverName, dsn(path, true, false)); err != nil {
			t.Fatal(err)
		}
		return w, r
	}
	w, r := open()
	if _, err := w.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)"); err != nil {
		t.Fatal(err)
	}
	blob := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + n)
		}
		return b
	}
	sizes := []int{10, 5000, 100_000, 1 << 20, 3<<20 + 17}
	check := func(r *sql.DB, when string) {
		t.Helper()
		for i, n := range sizes {
			var got []byte
			if err := r.QueryRow("SELECT b FROM t WHERE id = ?", i).Scan(&got); err != nil {
				t.Fatalf("%s: row %d: %v", when, i, err)
			}
			if !bytes.Equal(got, blob(n)) {
				t.Fatalf("%s: row %d (%d bytes) came back different (%d bytes)", when, i, n, len(got))
			}
		}
	}
	for i, n := range sizes {
		if _, err := w.Exec("INSERT INTO t VALUES (?, ?)", i, blob(n)); err != nil {
			t.Fatalf("insert of %d bytes: %v", n, err)
		}
	}
	check(r, "another connection")
	w0, f0 := walWriteTotals()
	// Ten rows in one transaction: about ten frames, twenty writes from SQLite.
	tx, err := w.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if _, err := tx.Exec("INSERT INTO t VALUES (?, ?)", 100+i, blob(3000)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	w1, f1 := walWriteTotals()
	r.Close()
	w.Close()
	if writes, flushes := w1-w0, f1-f0; writes < 10 || flushes > 2 {
		t.Errorf("a ten-frame commit: SQLite made %d writes, the file got %d; want at least 10 in one or two", writes, flushes)
	}
	w, r = open()
	defer w.Close()
	defer r.Close()
	check(r, "after reopening")
}
