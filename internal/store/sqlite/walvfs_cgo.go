//go:build cgo

package sqlite

/*
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// The parts of SQLite's VFS interface (sqlite3.h: sqlite3_vfs, sqlite3_file, sqlite3_io_methods)
// this file uses, declared from SQLite's documented ABI; the SQLite linked in is mattn/go-sqlite3's.
typedef long long wal_i64;
struct wal_io_methods;
typedef struct wal_file { const struct wal_io_methods *pMethods; } wal_file;
typedef struct wal_io_methods {
	int iVersion;
	int (*xClose)(wal_file*);
	int (*xRead)(wal_file*, void*, int, wal_i64);
	int (*xWrite)(wal_file*, const void*, int, wal_i64);
	int (*xTruncate)(wal_file*, wal_i64);
	int (*xSync)(wal_file*, int);
	int (*xFileSize)(wal_file*, wal_i64*);
	int (*xLock)(wal_file*, int);
	int (*xUnlock)(wal_file*, int);
	int (*xCheckReservedLock)(wal_file*, int*);
	int (*xFileControl)(wal_file*, int, void*);
	int (*xSectorSize)(wal_file*);
	int (*xDeviceCharacteristics)(wal_file*);
	int (*xShmMap)(wal_file*, int, int, int, void volatile**);
	int (*xShmLock)(wal_file*, int, int, int);
	void (*xShmBarrier)(wal_file*);
	int (*xShmUnmap)(wal_file*, int);
	int (*xFetch)(wal_file*, wal_i64, int, void**);
	int (*xUnfetch)(wal_file*, wal_i64, void*);
} wal_io_methods;
typedef struct wal_vfs {
	int iVersion;
	int szOsFile;
	int mxPathname;
	struct wal_vfs *pNext;
	const char *zName;
	void *pAppData;
	int (*xOpen)(struct wal_vfs*, const char*, wal_file*, int, int*);
	void (*rest[15])(void); // xDelete … xNextSystemCall, copied from the default VFS
} wal_vfs;

extern wal_vfs *sqlite3_vfs_find(const char*);
extern int sqlite3_vfs_register(wal_vfs*, int);
extern int sqlite3_libversion_number(void);

#define WAL_OK 0
#define WAL_OPEN_WAL 0x00080000
#define WAL_FRAME_HEADER 24
// The most the buffer holds: the default VFS writes at most 128 KiB in one call (its pwrite
// takes the length modulo 2^17), and a commit of the batched workload is about 56 KiB.
#define WAL_BUFFER_MAX (64 * 1024)

// wal_buffered is a WAL file opened by the writer's connection: SQLite writes each frame with
// two writes (its 24-byte header, then the page), and this holds a transaction's contiguous
// writes in memory and hands them to the real file in one write when the commit frame's page
// arrives, before SQLite publishes the commit to readers (it does so after its writes return).
typedef struct wal_buffered {
	wal_file base;
	wal_file *real; // the default VFS's file, in the same allocation after this struct
	char *buf;         // WAL_BUFFER_MAX bytes, allocated at the first write
	int len;
	wal_i64 start;     // the file offset of buf[0]
	int commitNext;    // the last write was a commit frame's header: its page ends the commit
	int missCommits;   // tests only: recognise no commit frame (gureum_wal_miss_commits)
	// The open buffered files, for the writer's check after each commit (gureum_wal_settle).
	long long id;
	const char *name;  // SQLite's, unchanged until xClose
	struct wal_buffered *next;
} wal_buffered;

static wal_vfs *wal_default;
static wal_vfs wal_ours;
static const wal_io_methods wal_methods;
#define WAL_REAL_OFFSET ((int)((sizeof(wal_buffered) + 15) & ~15))

// Writes SQLite made to buffered WAL files, and writes the files got (tests read them).
static long long wal_total_writes, wal_total_flushes;
#define WAL_COUNT(n) __atomic_add_fetch(&n, 1, __ATOMIC_RELAXED)

// wal_files lists the buffered files open, newest first; wal_files_mu guards the list and the
// fields the Go side reaches through it (gureum_wal_settle, gureum_wal_miss_commits).
static pthread_mutex_t wal_files_mu = PTHREAD_MUTEX_INITIALIZER;
static wal_buffered *wal_files;
static long long wal_last_id;

static void wal_track(wal_buffered *w, const char *name) {
	pthread_mutex_lock(&wal_files_mu);
	w->id = ++wal_last_id;
	w->name = name;
	w->next = wal_files;
	wal_files = w;
	pthread_mutex_unlock(&wal_files_mu);
}

static void wal_untrack(wal_buffered *w) {
	pthread_mutex_lock(&wal_files_mu);
	for (wal_buffered **p = &wal_files; *p; p = &(*p)->next) {
		if (*p == w) { *p = w->next; break; }
	}
	pthread_mutex_unlock(&wal_files_mu);
}

// wal_by_id returns the open file id, or 0; the caller holds wal_files_mu.
static wal_buffered *wal_by_id(long long id) {
	wal_buffered *w = wal_files;
	while (w && w->id != id) w = w->next;
	return w;
}

static int wal_flush(wal_buffered *w) {
	if (w->len == 0) return WAL_OK;
	int rc = w->real->pMethods->xWrite(w->real, w->buf, w->len, w->start);
	WAL_COUNT(wal_total_flushes);
	w->len = 0;
	return rc;
}

static int wal_close(wal_file *f) {
	wal_buffered *w = (wal_buffered*)f;
	wal_untrack(w);
	int rc = wal_flush(w);
	int rc2 = w->real->pMethods->xClose(w->real);
	free(w->buf);
	w->buf = 0;
	return rc != WAL_OK ? rc : rc2;
}

static int wal_read(wal_file *f, void *p, int n, wal_i64 off) {
	wal_buffered *w = (wal_buffered*)f;
	int rc = wal_flush(w);
	if (rc != WAL_OK) return rc;
	return w->real->pMethods->xRead(w->real, p, n, off);
}

static int wal_write(wal_file *f, const void *p, int n, wal_i64 off) {
	wal_buffered *w = (wal_buffered*)f;
	int rc;
	WAL_COUNT(wal_total_writes);
	if (w->len > 0 && (off != w->start + w->len || w->len + n > WAL_BUFFER_MAX)) {
		if ((rc = wal_flush(w)) != WAL_OK) return rc;
	}
	if (!w->buf) w->buf = malloc(WAL_BUFFER_MAX); // once per file; without it, writes go straight through
	if (n > WAL_BUFFER_MAX || !w->buf) {
		WAL_COUNT(wal_total_flushes);
		return w->real->pMethods->xWrite(w->real, p, n, off);
	}
	if (w->len == 0) w->start = off;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
	if (w->commitNext) {
		w->commitNext = 0;
		return wal_flush(w);
	}
	// A frame header's bytes 4-7 hold the database size after the commit, and are zero unless
	// this is a transaction's last frame.
	if (n == WAL_FRAME_HEADER && !w->missCommits) {
		const unsigned char *h = p;
		w->commitNext = (h[4] | h[5] | h[6] | h[7]) != 0;
	}
	return WAL_OK;
}

#define WAL_FLUSH_THEN(call) \
	wal_buffered *w = (wal_buffered*)f; \
	int rc = wal_flush(w); \
	if (rc != WAL_OK) return rc; \
	return call;

static int wal_truncate(wal_file *f, wal_i64 size) { WAL_FLUSH_THEN(w->real->pMethods->xTruncate(w->real, size)) }
static int wal_sync(wal_file *f, int flags) { WAL_FLUSH_THEN(w->real->pMethods->xSync(w->real, flags)) }
static int wal_file_size(wal_file *f, wal_i64 *size) { WAL_FLUSH_THEN(w->real->pMethods->xFileSize(w->real, size)) }
static int wal_file_control(wal_file *f, int op, void *arg) { WAL_FLUSH_THEN(w->real->pMethods->xFileControl(w->real, op, arg)) }
static int wal_lock(wal_file *f, int l) { wal_buffered *w = (wal_buffered*)f; return w->real->pMethods->xLock(w->real, l); }
static int wal_unlock(wal_file *f, int l) { wal_buffered *w = (wal_buffered*)f; return w->real->pMethods->xUnlock(w->real, l); }
static int wal_check_reserved(wal_file *f, int *out) { wal_buffered *w = (wal_buffered*)f; return w->real->pMethods->xCheckReservedLock(w->real, out); }
static int wal_sector_size(wal_file *f) { wal_buffered *w = (wal_buffered*)f; return w->real->pMethods->xSectorSize(w->real); }
static int wal_device(wal_file *f) { wal_buffered *w = (wal_buffered*)f; return w->real->pMethods->xDeviceCharacteristics(w->real); }

static int wal_open(wal_vfs *vfs, const char *name, wal_file *f, int flags, int *out) {
	if (!(flags & WAL_OPEN_WAL)) {
		return wal_default->xOpen(wal_default, name, f, flags, out);
	}
	wal_buffered *w = (wal_buffered*)f;
	memset(w, 0, sizeof *w);
	w->real = (wal_file*)((char*)f + WAL_REAL_OFFSET);
	w->real->pMethods = 0;
	int rc = wal_default->xOpen(wal_default, name, w->real, flags, out);
	// SQLite closes a file whose xOpen failed if its pMethods is set.
	w->base.pMethods = (rc == WAL_OK || w->real->pMethods) ? &wal_methods : 0;
	if (rc == WAL_OK) wal_track(w, name);
	return rc;
}

// WAL files map no shared memory and are not memory-mapped: version 1 of the methods.
static const wal_io_methods wal_methods = {
	.iVersion = 1,
	.xClose = wal_close, .xRead = wal_read, .xWrite = wal_write, .xTruncate = wal_truncate,
	.xSync = wal_sync, .xFileSize = wal_file_size, .xLock = wal_lock, .xUnlock = wal_unlock,
	.xCheckReservedLock = wal_check_reserved, .xFileControl = wal_file_control,
	.xSectorSize = wal_sector_size, .xDeviceCharacteristics = wal_device,
};

// gureum_wal_register registers the VFS "gureum-wal": the default VFS, with WAL files buffered
// as above. It returns 0, or an SQLite error code.
static int gureum_wal_register(void) {
	if (wal_default) return WAL_OK;
	wal_vfs *d = sqlite3_vfs_find(0);
	if (!d) return 1;
	memcpy(&wal_ours, d, sizeof wal_ours);
	wal_ours.pNext = 0;
	wal_ours.zName = "gureum-wal";
	wal_ours.szOsFile = WAL_REAL_OFFSET + d->szOsFile;
	wal_ours.xOpen = wal_open;
	wal_default = d;
	return sqlite3_vfs_register(&wal_ours, 0);
}

// gureum_wal_find returns the id of the open buffered file named name (the newest, should two
// be open), or 0.
static long long gureum_wal_find(const char *name) {
	long long id = 0;
	pthread_mutex_lock(&wal_files_mu);
	for (wal_buffered *w = wal_files; w; w = w->next) {
		if (w->name && strcmp(w->name, name) == 0) { id = w->id; break; }
	}
	pthread_mutex_unlock(&wal_files_mu);
	return id;
}

// gureum_wal_settle hands what the file id still holds to the real file and reports in *pending
// how many bytes that was. It returns 0, -1 when no such file is open, or the write's SQLite
// error code.
static int gureum_wal_settle(long long id, int *pending) {
	int rc = -1;
	*pending = 0;
	pthread_mutex_lock(&wal_files_mu);
	wal_buffered *w = wal_by_id(id);
	if (w) {
		*pending = w->len;
		w->commitNext = 0;
		rc = wal_flush(w);
	}
	pthread_mutex_unlock(&wal_files_mu);
	return rc;
}

// gureum_wal_miss_commits makes the file id recognise no commit frame (on), as a bug in the
// detection or a change in how SQLite writes frames would; for tests. It returns 0 when no such
// file is open.
static int gureum_wal_miss_commits(long long id, int on) {
	pthread_mutex_lock(&wal_files_mu);
	wal_buffered *w = wal_by_id(id);
	if (w) w->missCommits = on;
	pthread_mutex_unlock(&wal_files_mu);
	return w != 0;
}

static void gureum_wal_totals(long long *writes, long long *flushes) {
	*writes = __atomic_load_n(&wal_total_writes, __ATOMIC_RELAXED);
	*flushes = __atomic_load_n(&wal_total_flushes, __ATOMIC_RELAXED);
}
*/
import "C"

import (
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// walVFS names the VFS the writer's connection opens the database with: SQLite's default, with
// the WAL's writes buffered (above). SQLite writes a WAL frame with two pwrite calls, its header
// and its page; a commit of seven frames (single sends) thus made fourteen, which on the 2-vCPU
// test machines took 39–44 µs of CPU against 6–7 µs for the same bytes in one pwrite, and the
// batched workload's commits carry about thirteen. The buffer hands a transaction's frames to the
// file in one write when its commit frame arrives, before SQLite publishes the commit to other
// connections (which happens after its writes return), and before any read, sync, truncation or
// size query of the WAL; it holds at most 64 KiB, so a larger transaction is written in pieces.
// Durability is unchanged: the writer syncs the WAL after COMMIT returns (wal.go), once it has
// checked that the VFS holds nothing back (walBuffer.settle).
//
// The VFS relies on how SQLite writes the WAL, which its documentation does not promise: a frame
// as a 24-byte header then its page, a commit frame marked by a non-zero database size in its
// header, and a commit published only after its writes return. So it is used only on the SQLite
// releases it was verified on (walVFSVerified); on any other, and when Options.DefaultVFS says
// so, the writer's connection keeps SQLite's default VFS, and Open logs why.
const walVFS = "gureum-wal"

// walVFSVerified is the SQLite release (sqlite3_libversion_number) the WAL VFS was verified on:
// 3.54.1, the one mattn/go-sqlite3 v1.14.53 bundles. Verifying another means running TestWALVFS
// and TestWALVFSMissedCommit on it and reading its wal.c (walWriteOneFrame, walFrames) for the
// three points above; TestWALVFSVerifiedOnBundledSQLite fails when the bundled release changes.
const walVFSVerified = 3054001

// chooseWriterVFS picks the writer connection's VFS given the linked SQLite's version: walVFS,
// or "" for SQLite's default, with the reason when the WAL VFS was wanted but cannot be used.
func chooseWriterVFS(defaultVFS bool, version int) (vfs, why string) {
	switch {
	case defaultVFS:
		return "", ""
	case version != walVFSVerified:
		return "", fmt.Sprintf("the WAL VFS was verified on SQLite %s, and SQLite %s is linked", sqliteRelease(walVFSVerified), sqliteRelease(version))
	}
	return walVFS, ""
}

// sqliteRelease spells a version number (3054001) as SQLite's release (3.54.1).
func sqliteRelease(v int) string {
	return fmt.Sprintf("%d.%d.%d", v/1_000_000, v/1000%1000, v%1000)
}

// sqliteVersion is the linked SQLite's sqlite3_libversion_number (3054001 for 3.54.1).
func sqliteVersion() int { return int(C.sqlite3_libversion_number()) }

// registered is the WAL VFS's registration with SQLite, done once a process.
var registered struct {
	sync.Once
	err error
}

// writerVFS is chooseWriterVFS for the SQLite linked in, with the VFS registered when chosen.
func writerVFS(defaultVFS bool) (vfs, why string) {
	vfs, why = chooseWriterVFS(defaultVFS, sqliteVersion())
	if vfs == "" {
		return vfs, why
	}
	registered.Do(func() {
		if rc := C.gureum_wal_register(); rc != 0 {
			registered.err = fmt.Errorf("registering the %s VFS: SQLite error %d", walVFS, int(rc))
		}
	})
	if registered.err != nil {
		return "", registered.err.Error()
	}
	return vfs, ""
}

// errCommitHeldBack reports a commit that SQLite had finished writing (COMMIT returned) while
// the WAL VFS still held some of its bytes: the VFS did not recognise the commit frame, so a
// sync of the WAL would not have made the commit durable.
var errCommitHeldBack = errors.New("the WAL VFS held back part of a commit (its commit frame went unrecognised)")

// walBuffer is the writer's WAL as the WAL VFS holds it. A nil *walBuffer is a writer on SQLite's
// default VFS, for which its methods do nothing.
type walBuffer struct{ id C.longlong }

// findWALBuffer finds the WAL of the database conn has open among the WAL VFS's files.
func findWALBuffer(conn *sql.Conn) (*walBuffer, error) {
	var name string
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*sqlite3.SQLiteConn)
		if !ok {
			return fmt.Errorf("the writer's connection is a %T", dc)
		}
		name = c.GetFilename("main") + "-wal" // as SQLite names it (sqlite3_filename_wal)
		return nil
	})
	if err != nil {
		return nil, err
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	id := C.gureum_wal_find(cname)
	if id == 0 {
		return nil, fmt.Errorf("the writer's WAL %s is not open on the %s VFS", name, walVFS)
	}
	return &walBuffer{id: id}, nil
}

// settle checks, after a COMMIT, that the VFS handed the whole commit to the file the writer is
// about to sync. Bytes it still holds are written now, so that the file holds what SQLite has
// already published to readers, and reported as errCommitHeldBack: the writer must not answer
// that commit as durable.
func (b *walBuffer) settle() error {
	if b == nil {
		return nil
	}
	var pending C.int
	switch rc := C.gureum_wal_settle(b.id, &pending); {
	case rc == -1:
		return fmt.Errorf("the writer's WAL is no longer open on the %s VFS", walVFS)
	case pending > 0:
		return fmt.Errorf("%w: %d bytes after COMMIT", errCommitHeldBack, int(pending))
	case rc != 0:
		return fmt.Errorf("writing the WAL: SQLite error %d", int(rc))
	}
	return nil
}

// flush hands what the VFS holds to the file: after a rollback, frames SQLite wrote before it gave
// up (a page cache spilled mid-transaction) may be held back, and settle must see only the next
// commit's. Errors are left to the next write, read or sync of the WAL.
func (b *walBuffer) flush() {
	if b != nil {
		var pending C.int
		C.gureum_wal_settle(b.id, &pending)
	}
}

// missCommits makes the VFS recognise none of this WAL's commit frames (on), as a bug in the
// detection or a change in how SQLite writes frames would. For tests only.
func (b *walBuffer) missCommits(on bool) bool {
	flag := C.int(0)
	if on {
		flag = 1
	}
	return C.gureum_wal_miss_commits(b.id, flag) != 0
}

// walWriteTotals reports the writes SQLite has made to WAL files through the writer's VFS, and
// the writes the files got.
func walWriteTotals() (writes, flushes int64) {
	var w, f C.longlong
	C.gureum_wal_totals(&w, &f)
	return int64(w), int64(f)
}
