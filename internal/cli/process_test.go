package cli_test

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/gureum/gureum/internal/gureumtest"
)

// TestInProcessLeavesProcessSettings: a server started in-process (cli.Run, as tests do) does
// not change the process-wide settings that gureum's own process gets from cli.Main.
func TestInProcessLeavesProcessSettings(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	gc := debug.SetGCPercent(100)
	debug.SetGCPercent(gc)
	gureumtest.Start(t, gureumtest.Options{Args: []string{"--procs", "7"}})
	if got := runtime.GOMAXPROCS(0); got != procs {
		t.Errorf("GOMAXPROCS = %d after an in-process start with --procs 7; want %d", got, procs)
	}
	if got := debug.SetGCPercent(gc); got != gc {
		t.Errorf("GC percent = %d after an in-process start; want %d", got, gc)
	}
}
