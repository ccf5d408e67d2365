package sqlite

import (
	"errors"
	"os"
	"time"
)

// walFile is the database's write-ahead log as the writer syncs it. The writer's connection
// commits at synchronous=NORMAL, which appends a commit's frames to the WAL without syncing it;
// the writer then syncs the WAL itself (sync) before it answers the commit's callers. That is
// the durability of synchronous=FULL: SQLite's FULL adds exactly one sync of the WAL after a
// commit's frames, and at NORMAL it still syncs the WAL header when it starts the WAL over and
// the database file around a checkpoint.
//
// Syncing outside SQLite lets the writer choose how to wait. A blocking system call hands the
// writer's P to another thread and takes one back afterwards; on our 2-vCPU test machines that
// handoff cost more server CPU than the sync's own kernel time, so a sync expected to be short
// (the last one took under rawSyncBelow) keeps the P (a raw system call, sync_linux.go), and a
// slow disk gets the ordinary call, which lets other goroutines run on the P meanwhile. The
// runtime sees a P in a raw call as running, so a stop-the-world (the GC's) waits for the sync to
// return: at most one short sync.
type walFile struct {
	f    *os.File
	fd   uintptr       // f's descriptor, for the raw call
	last time.Duration // how long the last sync took (the first sync is not raw)
}

// rawSyncBelow is how short the last sync must have been for the next to keep the writer's P.
const rawSyncBelow = time.Millisecond

// openWAL opens the WAL at path. It exists once a connection has read the database in WAL mode,
// and SQLite removes it only when the last connection to the database closes: the writer holds
// its connection until Close.
func openWAL(path string) (*walFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	return &walFile{f: f, fd: f.Fd(), last: rawSyncBelow}, nil
}

// errWALRemoved reports a WAL that is no longer the file at its path: syncing it would make
// nothing durable.
var errWALRemoved = errors.New("the WAL file was removed while the store was open")

// sync makes what the WAL holds durable: its data, and its size when it grew.
func (w *walFile) sync() error {
	start := time.Now()
	err := w.syncData(w.last < rawSyncBelow)
	w.last = time.Since(start)
	if err != nil {
		return err
	}
	gone, err := w.removed()
	if err != nil {
		return err
	}
	if gone {
		return errWALRemoved
	}
	return nil
}

func (w *walFile) Close() error { return w.f.Close() }
