//go:build !linux

package sqlite

// syncData is the platform's file sync (os.File.Sync: fsync, or F_FULLFSYNC on macOS).
func (w *walFile) syncData(bool) error { return w.f.Sync() }

// startSync does nothing off Linux: the sync does it all.
func (w *walFile) startSync() {}

// removed is not checked off Linux.
func (w *walFile) removed() (bool, error) { return false, nil }
