//go:build cgo && !libsqlite3

package sqlite

import "testing"

// TestWALVFSVerifiedOnBundledSQLite fails when mattn/go-sqlite3 bundles an SQLite release the WAL
// VFS was not verified on: the store would still work, on SQLite's default VFS, but slower. Verify
// the VFS on the new release (see walVFSVerified) and record it there. (Built with the libsqlite3
// tag, the system's SQLite is linked instead, and this test is left out.)
func TestWALVFSVerifiedOnBundledSQLite(t *testing.T) {
	if v := sqliteVersion(); v != walVFSVerified {
		t.Errorf("mattn/go-sqlite3 bundles SQLite %s; the WAL VFS was verified on %s", sqliteRelease(v), sqliteRelease(walVFSVerified))
	}
}
