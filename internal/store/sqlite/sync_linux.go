package sqlite

import (
	"os"
	"syscall"
)

// syncData is fdatasync(2) on the WAL, as a raw system call (keeping the caller's P) when raw is
// set.
func (w *walFile) syncData(raw bool) error {
	for {
		var errno syscall.Errno
		if raw {
			_, _, errno = syscall.RawSyscall(syscall.SYS_FDATASYNC, w.fd, 0, 0)
		} else {
			_, _, errno = syscall.Syscall(syscall.SYS_FDATASYNC, w.fd, 0, 0)
		}
		switch errno {
		case 0:
			return nil
		case syscall.EINTR:
		default:
			return &os.PathError{Op: "fdatasync", Path: "WAL", Err: errno}
		}
	}
}

// startSync starts writing the WAL's dirty pages to the disk without waiting for them
// (sync_file_range(2), SYNC_FILE_RANGE_WRITE), so that the sync which follows finds its data on
// the way. It makes nothing durable by itself, and the sync reports any error.
func (w *walFile) startSync() {
	const syncFileRangeWrite = 2
	syscall.RawSyscall6(syscall.SYS_SYNC_FILE_RANGE, w.fd, 0, 0, syncFileRangeWrite, 0, 0)
}

// removed reports whether the WAL has no name left.
func (w *walFile) removed() (bool, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(w.fd), &st); err != nil {
		return false, err
	}
	return st.Nlink == 0, nil
}
