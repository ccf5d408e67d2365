//go:build cgo

package sqlite

/*
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
} wal_buffered;

static wal_vfs *wal_default;
static wal_vfs wal_ours;
static const wal_io_methods wal_methods;
#define WAL_REAL_OFFSET ((int)((sizeof(wal_buffered) + 15) & ~15))

// Writes SQLite made to buffered WAL files, and writes the files got (tests read them).
static long long wal_total_writes, wal_total_flushes;
#define WAL_COUNT(n) __atomic_add_fetch(&n, 1, __ATOMIC_RELAXED)

static int wal_flush(wal_buffered *w) {
	if (w->len == 0) return WAL_OK;
	int rc = w->real->pMethods->xWrite(w->real, w->buf, w->len, w->start);
	WAL_COUNT(wal_total_flushes);
	w->len = 0;
	return rc;
}

static int wal_close(wal_file *f) {
	wal_buffered *w = (wal_buffered*)f;
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
	if (n == WAL_FRAME_HEADER) {
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

static void gureum_wal_totals(long long *writes, long long *flushes) {
	*writes = __atomic_load_n(&wal_total_writes, __ATOMIC_RELAXED);
	*flushes = __atomic_load_n(&wal_total_flushes, __ATOMIC_RELAXED);
}
*/
import "C"

import "fmt"

// walVFS names the VFS the writer's connection opens the database with: SQLite's default, with
// the WAL's writes buffered (above). SQLite writes a WAL frame with two pwrite calls, its header
// and its page; a commit of seven frames (single sends) thus made fourteen, which on the 2-vCPU
// test machines took 39–44 µs of CPU against 6–7 µs for the same bytes in one pwrite, and the
// batched workload's commits carry about thirteen. The buffer hands a transaction's frames to the
// file in one write when its commit frame arrives, before SQLite publishes the commit to other
// connections (which happens after its writes return), and before any read, sync, truncation or
// size query of the WAL; it holds at most 64 KiB, so a larger transaction is written in pieces.
// Durability is unchanged: the writer syncs the WAL after COMMIT returns (wal.go).
const walVFS = "gureum-wal"

func registerWALVFS() error {
	if rc := C.gureum_wal_register(); rc != 0 {
		return fmt.Errorf("sqlite: registering the %s VFS: error %d", walVFS, int(rc))
	}
	return nil
}

// walWriteTotals reports the writes SQLite has made to WAL files through the writer's VFS, and
// the writes the files got.
func walWriteTotals() (writes, flushes int64) {
	var w, f C.longlong
	C.gureum_wal_totals(&w, &f)
	return int64(w), int64(f)
}
