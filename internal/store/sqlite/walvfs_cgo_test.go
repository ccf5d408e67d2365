//go:build cgo

package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/storetest"
)

// TestWALVFS checks the writer's VFS (walvfs_cgo.go): transactions of every size, from one frame
// to many times the buffer, commit and read back intact from another connection (on the
// default VFS) at once and after reopening, and a commit of several frames reaches the file in
// one write.
func TestWALVFS(t *testing.T) {
	if vfs, why := writerVFS(false); vfs != walVFS {
		t.Fatalf("the WAL VFS is not in use: %s", why)
	}
	path := filepath.Join(t.TempDir(), "wal.db")
	open := func() (w, r *sql.DB) {
		var err error
		if w, err = sql.Open(driverName, dsn(path, false, true, walVFS)); err != nil {
			t.Fatal(err)
		}
		w.SetMaxOpenConns(1)
		if r, err = sql.Open(driverName, dsn(path, true, false, "")); err != nil {
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

// TestWALVFSMissedCommit checks what happens if the WAL VFS ever fails to recognise a commit frame
// (a bug in the detection, or an SQLite that writes its frames differently): the commit's last
// frame would stay in the buffer when COMMIT returns, and a sync of the WAL would not cover it.
// The writer must answer that write with an error, never as durable, and take no write after it.
func TestWALVFSMissedCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "gureum.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.walBuf == nil {
		t.Fatal("the writer is not on the WAL VFS")
	}
	if err := db.CreateAccount(ctx, store.Account{ID: "111111111111", Name: "before"}); err != nil {
		t.Fatal(err)
	}
	if !db.walBuf.missCommits(true) {
		t.Fatal("the writer's WAL is not among the VFS's open files")
	}
	err = db.CreateAccount(ctx, store.Account{ID: "222222222222", Name: "held back"})
	if !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, errCommitHeldBack) {
		t.Fatalf("CreateAccount with its commit frame held back = %v; want ErrUnavailable from errCommitHeldBack", err)
	}
	db.walBuf.missCommits(false)
	if err := db.CreateAccount(ctx, store.Account{ID: "333333333333", Name: "after"}); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("write after a held-back commit = %v; want ErrUnavailable (the store stops taking writes)", err)
	}
}

// TestWriterVFS checks the choice of the writer's VFS: the WAL VFS on the SQLite release it was
// verified on, SQLite's default on any other (with the reason, which Open logs) and when turned
// off.
func TestWriterVFS(t *testing.T) {
	for _, c := range []struct {
		off     bool
		version int
		want    string
		why     string
	}{
		{false, walVFSVerified, walVFS, ""},
		{true, walVFSVerified, "", ""},
		{false, walVFSVerified + 1, "", "SQLite 3.54.2 is linked"},
		{false, 3046000, "", "SQLite 3.46.0 is linked"},
	} {
		vfs, why := chooseWriterVFS(c.off, c.version)
		if vfs != c.want || !strings.Contains(why, c.why) || (c.why == "") != (why == "") {
			t.Errorf("chooseWriterVFS(%v, %d) = %q, %q; want %q, %q", c.off, c.version, vfs, why, c.want, c.why)
		}
	}
}

// TestConformanceOnDefaultVFS runs the conformance suite with the writer on SQLite's default VFS,
// as a store whose SQLite the WAL VFS was not verified on runs.
func TestConformanceOnDefaultVFS(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "gureum.db")
		return func() (store.Store, error) { return Open(context.Background(), path, Options{DefaultVFS: true}) }
	})
}

// TestDefaultVFS checks that Options.DefaultVFS keeps the writer on SQLite's default VFS (no
// buffered WAL to check) and says so in the log, and that the store works so.
func TestDefaultVFS(t *testing.T) {
	var logs strings.Builder
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "gureum.db"), Options{DefaultVFS: true, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.walBuf != nil {
		t.Error("DefaultVFS: the writer is on the WAL VFS")
	}
	if err := db.CreateAccount(ctx, store.Account{ID: "111111111111", Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "default VFS") || !strings.Contains(logs.String(), "turned off") {
		t.Errorf("DefaultVFS logged %q; want a line saying the WAL VFS is turned off", logs.String())
	}
}
