package bench

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// loadPriority is the nice value the load generator takes while it measures: the lowest.
const loadPriority = 19

// yieldCPU lowers every thread of this process to loadPriority, so that the servers it measures,
// started before, win the machine's cores whenever both want them. On Linux the nice value is a
// thread's, so each thread in /proc/self/task is set; a thread the Go runtime starts later
// inherits it from the thread that started it, and each measurement round calls this again for
// any that did not. Raising one's own nice value needs no privilege.
func yieldCPU() error {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, loadPriority); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
