package sqlite

import (
	"os"
	"syscall"
)

// syncData is fdatasync(2) on fd, as a raw system call (keeping the caller's P) when raw is set.
func syncData(_ *os.File, fd uintptr, raw bool) error {
	for {
		var errno syscall.Errno
		if raw {
			_, _, errno = syscall.RawSyscall(syscall.SYS_FDATASYNC, fd, 0, 0)
		} else {
			_, _, errno = syscall.Syscall(syscall.SYS_FDATASYNC, fd, 0, 0)
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

// removed reports whether the file open at fd has no name left.
func removed(fd uintptr) (bool, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(fd), &st); err != nil {
		return false, err
	}
	return st.Nlink == 0, nil
}
