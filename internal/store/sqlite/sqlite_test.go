package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
	"github.com/gureum/gureum/internal/store/sqlstore"
	"github.com/gureum/gureum/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "gureum.db")
		return func() (store.Store, error) { return Open(context.Background(), path, Options{}) }
	})
}

func TestConformanceWithoutGroupCommit(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Opener {
		path := filepath.Join(t.TempDir(), "gureum.db")
		return func() (store.Store, error) { return Open(context.Background(), path, Options{MaxBatch: 1}) }
	})
}

// TestDurabilitySettings checks that the writer runs in WAL mode at synchronous=NORMAL and holds
// the database's WAL, which it syncs after each commit (commitTx), so a commit is on disk before
// its callers are answered, as at FULL; every other connection stays at FULL.
func TestDurabilitySettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gureum.db")
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	var sync int
	ctx := context.Background()
	err = db.Write(ctx, func(ctx context.Context, tx sqlstore.Tx) error {
		conn := tx.(writeTx).conn
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			return err
		}
		return conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync)
	})
	if err != nil || mode != "wal" || sync != 1 {
		t.Errorf("writer: journal_mode=%q synchronous=%d (%v); want wal and 1 (NORMAL: the store syncs)", mode, sync, err)
	}
	if err := db.r.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Errorf("reader: synchronous=%d (%v); want 2 (FULL)", sync, err)
	}
	held, err := db.wal.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if onDisk, err := os.Stat(path + "-wal"); err != nil || !os.SameFile(held, onDisk) {
		t.Errorf("the writer syncs %v, not the database's WAL (%v)", held.Name(), err)
	}
	var readOnly int
	if err := db.r.QueryRow("PRAGMA query_only").Scan(&readOnly); err != nil || readOnly != 1 {
		t.Errorf("reader query_only=%d (%v); want 1", readOnly, err)
	}
	// On either driver, every connection: temporary tables in memory, no automatic checkpoint on
	// commit (the checkpointer copies the WAL off the writer's path), a 64 MiB page cache.
	type querier interface {
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
	check := func(name string, q querier) {
		var got [3]int
		for i, p := range []string{"temp_store", "wal_autocheckpoint", "cache_size"} {
			if err := q.QueryRowContext(ctx, "PRAGMA "+p).Scan(&got[i]); err != nil {
				t.Errorf("%s: PRAGMA %s: %v", name, p, err)
			}
		}
		if want := [3]int{2, 0, -65536}; got != want {
			t.Errorf("%s (%s): temp_store, wal_autocheckpoint, cache_size = %v; want %v", name, Driver, got, want)
		}
	}
	db.Write(ctx, func(ctx context.Context, tx sqlstore.Tx) error {
		check("writer", tx.(writeTx).conn)
		return nil
	})
	check("reader", db.r)
	check("checkpointer", db.ckpt)
}

// TestFailedSyncStopsWrites checks that a write whose sync fails is answered with an error, and
// that so is every later write: the commit is in the WAL but may not be on disk, and the store
// must be reopened before it answers any write as durable again.
func TestFailedSyncStopsWrites(t *testing.T) {
	for _, c := range []struct {
		name    string
		breakIt func(t *testing.T, db *DB, path string)
	}{
		{"sync error", func(t *testing.T, db *DB, _ string) {
			// A closed descriptor makes fdatasync fail (EBADF), as a failing disk would.
			if err := db.wal.f.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"WAL removed", func(t *testing.T, _ *DB, path string) {
			if err := os.Remove(path + "-wal"); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "gureum.db")
			db, err := Open(context.Background(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			if err := db.CreateAccount(ctx, store.Account{ID: "111111111111", Name: "before"}); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateAccount(ctx, store.Account{ID: "111111111111", Name: "taken"}); !errors.Is(err, store.ErrExists) {
				t.Fatalf("CreateAccount(taken) = %v", err)
			}
			if err := db.WriteFault(); err != nil {
				t.Errorf("WriteFault() before = %v; want nil", err)
			}
			c.breakIt(t, db, path)
			if err := db.CreateAccount(ctx, store.Account{ID: "222222222222", Name: "unsynced"}); !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("write whose sync failed = %v; want ErrUnavailable", err)
			}
			if err := db.CreateAccount(ctx, store.Account{ID: "333333333333", Name: "after"}); !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("write after a failed sync = %v; want ErrUnavailable", err)
			}
			if err := db.WriteFault(); !errors.Is(err, store.ErrUnavailable) {
				t.Errorf("WriteFault() after a failed sync = %v; want ErrUnavailable", err)
			}
		})
	}
}

// TestPanickingWrite checks that a write that panics fails alone and the writer carries on.
func TestPanickingWrite(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gureum.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	err = db.Write(ctx, func(context.Context, sqlstore.Tx) error { panic("bug") })
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Write(panics) = %v; want ErrUnavailable", err)
	}
	if err := db.CreateAccount(ctx, store.Account{ID: "123456789012", Name: "after"}); err != nil {
		t.Errorf("write after a panicking write = %v", err)
	}
}

// TestWriteContext checks that a write runs its statements with its caller's values but without
// the caller's cancellation: a statement interrupted inside a group commit would roll back the
// whole group.
func TestWriteContext(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gureum.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type key struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "caller"))
	defer cancel()
	err = db.Write(ctx, func(ctx context.Context, tx sqlstore.Tx) error {
		cancel() // the caller gives up while its write runs
		if ctx.Done() != nil || ctx.Err() != nil {
			return fmt.Errorf("the write's context can be cancelled: %v", ctx.Err())
		}
		if ctx.Value(key{}) != "caller" {
			return errors.New("the write's context lost the caller's values")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWALStaysBounded checks that the WAL does not grow without bound while the writer never
// pauses: the checkpointer's frames are caught up on the writer so SQLite can start the WAL over.
func TestWALStaysBounded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gureum.db")
	db, err := Open(context.Background(), path, Options{CheckpointInterval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	q := store.Queue{Account: "123456789012", Name: "q", Attributes: map[string]string{}, Tags: map[string]string{}}
	if err := db.CreateQueue(ctx, &q); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 3000) // about a page a message
	const writers, each = 8, 300
	var wg sync.WaitGroup
	var peak, restarts atomic.Int64
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				m := store.Message{ID: fmt.Sprint(w, "-", i), Body: body, MD5Body: "md5", SenderID: "s",
					SentAt: time.Unix(1, 0), VisibleAt: time.Unix(1, 0), ExpiresAt: time.Unix(1e9, 0)}
				if _, err := db.SendMessages(ctx, q.ID, []store.Message{m}, nil, time.Unix(1, 0)); err != nil {
					t.Error(err)
					return
				}
				if st, err := os.Stat(path + "-wal"); err == nil && st.Size() > peak.Load() {
					peak.Store(st.Size())
				}
				if n := walRestarts(path + "-wal"); n > restarts.Load() {
					restarts.Store(n)
				}
			}
		}()
	}
	wg.Wait()
	// Without catching up, SQLite never starts the WAL over and it holds every frame of the run:
	// well over writers*each pages. How far it gets between two starts depends on how the
	// machine schedules the checkpointer (0.5 MB alone here, 2.7 MB once beside the rest of the
	// test suite), so the bound is half the unbounded size, and the WAL must have started over.
	if restarts.Load() < 2 {
		t.Errorf("the WAL started over %d times during the run; want at least 2", restarts.Load())
	}
	if limit := int64(writers * each * 4096 / 2); peak.Load() > limit {
		t.Errorf("WAL peaked at %d bytes over %d one-page writes; want under %d", peak.Load(), writers*each, limit)
	}
	t.Logf("WAL peak %d bytes, started over %d times", peak.Load(), restarts.Load())
}

// walRestarts reads the checkpoint sequence number from a WAL's header (bytes 12–15, big-endian):
// SQLite adds one each time it starts the WAL over. 0 when the header cannot be read.
func walRestarts(path string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	var h [16]byte
	if _, err := io.ReadFull(f, h[:]); err != nil {
		return 0
	}
	return int64(binary.BigEndian.Uint32(h[12:16]))
}

// TestQueuePlans checks that the statements on a queue's hot paths cost what they touch, not the
// queue's depth: SQLite's planner would otherwise scan a queue's index range for a batch delete,
// or sort a dead-letter queue's whole visible range at each step of a move task. Counting a
// queue's messages costs its depth, but in index entries rather than rows.
func TestQueuePlans(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "gureum.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan := func(name string) string {
		q := sqlstore.Statement(name)
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = i
		}
		rows, err := db.r.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(name, err)
		}
		defer rows.Close()
		var steps []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			steps = append(steps, detail)
		}
		return strings.Join(steps, "; ")
	}
	for n := 1; n <= 10; n++ {
		for _, name := range []string{fmt.Sprint("deleteReceived/", n), fmt.Sprint("deleteReceivedOnce/", n)} {
			if got := plan(name); strings.Contains(got, "messages_visible") || !strings.Contains(got, "INTEGER PRIMARY KEY") {
				t.Errorf("%s plans %q; want rowid lookups only", name, got)
			}
		}
		name := fmt.Sprint("markReceived/", n)
		if got := plan(name); got != "SEARCH messages USING INTEGER PRIMARY KEY (rowid=?)" {
			t.Errorf("%s plans %q; want rowid lookups only", name, got)
		}
	}
	// A receive of up to 10 uses a statement with its LIMIT written in and its queue compared to
	// +?: a bound LIMIT, or a queue id the planner can read, would have the statement prepared
	// again at every use (see sqlstore's candidates).
	fifo, standard := []string{"fifoCandidates"}, []string{"candidates", "moveCandidates"}
	for n := 1; n <= 10; n++ {
		for _, name := range []string{fmt.Sprint("candidates/", n), fmt.Sprint("fifoCandidates/", n)} {
			if q := sqlstore.Statement(name); !strings.HasSuffix(q, fmt.Sprint(" LIMIT ", n)) || strings.Contains(q, "LIMIT ?") || strings.Contains(q, "queue_id = ?") {
				t.Errorf("%s = %q; want LIMIT %d written in and the queue compared to +?", name, q, n)
			}
		}
		fifo, standard = append(fifo, fmt.Sprint("fifoCandidates/", n)), append(standard, fmt.Sprint("candidates/", n))
	}
	for _, name := range fifo {
		if got := plan(name); !strings.HasPrefix(got, "SEARCH messages USING INDEX messages_fifo (queue_id=?)") || strings.Contains(got, "TEMP B-TREE") {
			t.Errorf("%s plans %q; want a walk of messages_fifo in its order", name, got)
		}
	}
	// ApproximateNumberOfMessages and its siblings read the index alone, not the queue's rows.
	if got := plan("counts"); got != "SEARCH messages USING COVERING INDEX messages_visible (queue_id=?)" {
		t.Errorf("counts plans %q; want messages_visible alone", got)
	}
	for _, name := range standard {
		if got := plan(name); got != "SEARCH messages USING INDEX messages_visible (queue_id=? AND visible_at<?)" {
			t.Errorf("%s plans %q; want one range of messages_visible, in its order", name, got)
		}
	}
}

// TestLinger pins the writer's wait for the rest of a wave: only a batch smaller than the last
// one waits, for twice the last COMMIT and sync.
func TestLinger(t *testing.T) {
	for _, c := range []struct {
		last commitShape
		n    int
		want time.Duration
	}{
		{commitShape{}, 1, 0}, // the first commit
		{commitShape{writes: 1, sync: time.Millisecond}, 1, 0},  // a lone caller never waits
		{commitShape{writes: 8, sync: time.Millisecond}, 8, 0},  // the wave is all here
		{commitShape{writes: 8, sync: time.Millisecond}, 12, 0}, // more than last time
		{commitShape{writes: 8, sync: time.Millisecond}, 3, 2 * time.Millisecond},
		{commitShape{writes: 2, sync: 40 * time.Microsecond}, 1, 80 * time.Microsecond},
	} {
		if got := c.last.linger(c.n); got != c.want {
			t.Errorf("%+v.linger(%d) = %v, want %v", c.last, c.n, got, c.want)
		}
	}
}

// TestGather checks that a lingering batch takes the writes that arrive until it has the number
// it waits for, and that it commits what it has when the wait ends or the store closes.
func TestGather(t *testing.T) {
	db := &DB{opt: Options{MaxBatch: 6}, writes: make(chan *write, 16)}
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	first := []*write{{}}

	// The rest of the wave arrives while it waits: it stops at what it wanted, not at the timer.
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for range 5 {
			db.writes <- &write{}
		}
	}()
	if got := db.gather(first, 4, time.Hour, wait); len(got) != 4 {
		t.Fatalf("gathered %d writes, want 4", len(got))
	}
	<-sent
	// Never more than MaxBatch, whatever the last batch was: two writes were left queued, four
	// more come, the batch takes five of them and one stays queued for the next.
	for range 4 {
		db.writes <- &write{}
	}
	if got := db.gather([]*write{{}}, 100, time.Hour, wait); len(got) != 6 {
		t.Fatalf("gathered %d writes, want MaxBatch (6)", len(got))
	}
	if got := len(db.writes); got != 1 {
		t.Fatalf("%d writes left queued, want 1", got)
	}
	<-db.writes
	// Nothing comes: the wait ends and the batch commits as it is.
	if got := db.gather([]*write{{}}, 4, time.Millisecond, wait); len(got) != 1 {
		t.Fatalf("gathered %d writes, want 1", len(got))
	}
	// The store closes while it waits.
	close(db.writes)
	if got := db.gather([]*write{{}}, 4, time.Hour, wait); len(got) != 1 {
		t.Fatalf("gathered %d writes after close, want 1", len(got))
	}
}

// TestWriteFaultClears checks that a commit that failed for the store's own reasons (a full disk)
// is reported until a write commits again, and that a write refused for its own reasons is not.
func TestWriteFaultClears(t *testing.T) {
	db := &DB{}
	full := &store.Error{Op: "sqlite.commit", Kind: store.ErrUnavailable, Err: errors.New("database or disk is full")}
	exists := &store.Error{Op: "sqlite.write", Kind: store.ErrExists}
	steps := []struct {
		err     error
		results []error
		fault   bool
	}{
		{nil, []error{nil}, false},
		{nil, []error{exists}, false},
		{full, []error{nil, nil}, true},
		{nil, []error{exists}, true}, // nothing committed: still unknown, still degraded
		{nil, []error{full, exists}, true},
		{nil, []error{exists, nil}, false},
	}
	for i, s := range steps {
		db.noteFault(s.err, s.results)
		if got := db.WriteFault(); (got != nil) != s.fault {
			t.Errorf("step %d: WriteFault() = %v; want fault %v", i, got, s.fault)
		}
	}
}
