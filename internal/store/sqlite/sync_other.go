//go:build !linux

package sqlite

import "os"

// syncData is the platform's file sync (os.File.Sync: fsync, or F_FULLFSYNC on macOS).
func syncData(f *os.File, _ uintptr, _ bool) error { return f.Sync() }

// removed is not checked off Linux.
func removed(uintptr) (bool, error) { return false, nil }
