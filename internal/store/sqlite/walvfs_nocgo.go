//go:build !cgo

package sqlite

import "database/sql"

// Without cgo there is no WAL VFS (walvfs_cgo.go): modernc's SQLite writes the WAL itself.

// writerVFS is always SQLite's default VFS here.
func writerVFS(bool) (vfs, why string) { return "", "" }

// walBuffer stands for the WAL VFS's hold on the WAL; there is none here.
type walBuffer struct{}

func findWALBuffer(*sql.Conn) (*walBuffer, error) { return nil, nil }

func (*walBuffer) settle() error { return nil }

func (*walBuffer) flush() {}
