package lambda

import "golang.org/x/sys/unix"

// pipePending is how many bytes wait in a pipe.
func pipePending(fd uintptr) int {
	n, _ := unix.IoctlGetInt(int(fd), unix.TIOCINQ)
	return n
}
